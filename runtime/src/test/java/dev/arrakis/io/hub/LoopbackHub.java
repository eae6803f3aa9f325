package dev.arrakis.io.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real HTTP server on 127.0.0.1 serving the Hugging Face hub's URL layout for in-memory repos, with a second
 * server on another port standing in for the CDN that the hub redirects {@code *.safetensors} downloads to, as
 * huggingface.co does for LFS files. Both record every request they receive.
 */
final class LoopbackHub implements AutoCloseable {

    /** One request as a server saw it; {@code server} is {@code "hub"} or {@code "cdn"}. */
    record Request(String server, String path, Optional<String> authorization, Optional<String> userAgent) {}

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, Repo> repos = new ConcurrentHashMap<>();
    private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
    private final Set<String> filesWithoutEtag = ConcurrentHashMap.newKeySet();
    private final Set<String> filesToTruncateOnce = ConcurrentHashMap.newKeySet();
    private final Set<String> tamperedFiles = ConcurrentHashMap.newKeySet();
    private final Map<String, String> claimedEtags = new ConcurrentHashMap<>();
    private final Map<String, Long> announcedLengths = new ConcurrentHashMap<>();
    private final Map<String, Long> announcedLinkedSizes = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private volatile int forcedStatus;

    private record Repo(String commit, Map<String, byte[]> files) {}

    LoopbackHub() throws IOException {
        InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(loopback, 0);
        cdn = HttpServer.create(loopback, 0);
        hub.createContext("/", exchange -> handle("hub", exchange, this::serveHub));
        cdn.createContext("/", exchange -> handle("cdn", exchange, this::serveCdn));
        hub.start();
        cdn.start();
    }

    URI endpoint() {
        return baseUri(hub);
    }

    /** Serves a repo whose main branch is at {@code commit}, with the given files, in order. */
    LoopbackHub withRepo(String id, String commit, Map<String, byte[]> files) {
        repos.put(id, new Repo(commit, new LinkedHashMap<>(files)));
        return this;
    }

    /** Serves {@code file} with neither an ETag nor an X-Linked-Etag header. */
    LoopbackHub withoutEtag(String file) {
        filesWithoutEtag.add(file);
        return this;
    }

    /** The next download of {@code file} promises all its bytes but sends half, then drops the connection. */
    LoopbackHub truncateOnce(String file) {
        filesToTruncateOnce.add(file);
        return this;
    }

    /**
     * Serves {@code file} with its first byte changed, under the etag (and, for a safetensors file, the
     * X-Linked-Etag sha256) of its true content, as a tampering mirror or a man in the middle would.
     */
    LoopbackHub tamper(String file) {
        tamperedFiles.add(file);
        return this;
    }

    /** Stops tampering with {@code file}. */
    LoopbackHub stopTampering(String file) {
        tamperedFiles.remove(file);
        return this;
    }

    /** Names {@code file} by this etag: its X-Linked-Etag if it is a safetensors file, else its ETag. */
    LoopbackHub claimingEtag(String file, String etag) {
        claimedEtags.put(file, etag);
        return this;
    }

    /** Promises this Content-Length for {@code file}, then sends its true bytes and closes the connection. */
    LoopbackHub announcingLength(String file, long length) {
        announcedLengths.put(file, length);
        return this;
    }

    /** Sends this X-Linked-Size for the safetensors {@code file} instead of its true length. */
    LoopbackHub announcingLinkedSize(String file, long size) {
        announcedLinkedSizes.put(file, size);
        return this;
    }

    /** Answers a download of {@code file} with a 302 to {@code location}; {@code "self"} redirects to itself. */
    LoopbackHub redirecting(String file, String location) {
        redirects.put(file, location);
        return this;
    }

    /** Answers every hub request with this HTTP status. */
    LoopbackHub answeringEverything(int status) {
        forcedStatus = status;
        return this;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<String> downloadedFiles() {
        return requests.stream()
                .filter(request -> request.server().equals("hub") && request.path().contains("/resolve/"))
                .map(request -> request.path().substring(request.path().lastIndexOf('/') + 1))
                .toList();
    }

    static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The etag the hub gives a small (non-LFS) file: git's blob id of it, here any stable content hash. */
    static String gitEtag(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }

    private interface Handler {
        void serve(HttpExchange exchange, String path) throws IOException;
    }

    private void handle(String server, HttpExchange exchange, Handler handler) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            requests.add(new Request(server, path,
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("Authorization")),
                    Optional.ofNullable(exchange.getRequestHeaders().getFirst("User-Agent"))));
            handler.serve(exchange, path);
        }
    }

    private void serveHub(HttpExchange exchange, String path) throws IOException {
        if (forcedStatus != 0) {
            sendJson(exchange, forcedStatus, Map.of("error", "forced status " + forcedStatus));
        } else if (path.startsWith("/api/models/") && path.contains("/revision/")) {
            serveRevision(exchange, path.substring("/api/models/".length(), path.indexOf("/revision/")));
        } else if (path.contains("/resolve/")) {
            String repoId = path.substring(1, path.indexOf("/resolve/"));
            String[] commitAndFile = path.substring(path.indexOf("/resolve/") + "/resolve/".length()).split("/", 2);
            serveFile(exchange, repoId, commitAndFile[0], commitAndFile[1]);
        } else {
            sendJson(exchange, 404, Map.of("error", "no such route"));
        }
    }

    private void serveRevision(HttpExchange exchange, String repoId) throws IOException {
        Repo repo = repos.get(repoId);
        if (repo == null) {
            sendJson(exchange, 404, Map.of("error", "Repository not found"));
            return;
        }
        List<Map<String, String>> siblings = new ArrayList<>();
        repo.files().keySet().forEach(file -> siblings.add(Map.of("rfilename", file)));
        sendJson(exchange, 200, Map.of("id", repoId, "sha", repo.commit(), "siblings", siblings));
    }

    private void serveFile(HttpExchange exchange, String repoId, String commit, String file) throws IOException {
        Repo repo = repos.get(repoId);
        byte[] content = repo == null || !repo.commit().equals(commit) ? null : repo.files().get(file);
        if (content == null) {
            sendJson(exchange, 404, Map.of("error", "Entry not found"));
            return;
        }
        String redirect = redirects.get(file);
        if (redirect != null) {
            exchange.getResponseHeaders().add("Location", redirect.equals("self")
                    ? exchange.getRequestURI().toString() : redirect);
            exchange.sendResponseHeaders(302, -1);
        } else if (filesWithoutEtag.contains(file)) {
            sendBytes(exchange, file, content);
        } else if (file.endsWith(".safetensors")) {
            String sha256 = sha256(content);
            cdnBlobs.put(sha256, content);
            exchange.getResponseHeaders().add("X-Linked-Etag", "\"" + claimedEtags.getOrDefault(file, sha256) + "\"");
            exchange.getResponseHeaders().add("X-Linked-Size",
                    String.valueOf(announcedLinkedSizes.getOrDefault(file, (long) content.length)));
            exchange.getResponseHeaders().add("Location", baseUri(cdn) + "/blobs/" + sha256 + "?file=" + file);
            exchange.sendResponseHeaders(302, -1);
        } else {
            exchange.getResponseHeaders().add("ETag", "W/\"" + claimedEtags.getOrDefault(file, gitEtag(content)) + "\"");
            sendBytes(exchange, file, content);
        }
    }

    private void serveCdn(HttpExchange exchange, String path) throws IOException {
        byte[] content = cdnBlobs.get(path.substring(path.lastIndexOf('/') + 1));
        if (content == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        // The CDN's own ETag, which must not name the blob: the hub's X-Linked-Etag does.
        exchange.getResponseHeaders().add("ETag", "\"cdn-" + gitEtag(content) + "\"");
        String query = exchange.getRequestURI().getQuery();
        sendBytes(exchange, query.substring("file=".length()), content);
    }

    private void sendBytes(HttpExchange exchange, String file, byte[] trueContent) throws IOException {
        byte[] content = trueContent;
        if (tamperedFiles.contains(file)) {
            content = trueContent.clone();
            content[0] ^= 1;
        }
        Long announced = announcedLengths.get(file);
        exchange.sendResponseHeaders(200, announced != null ? announced : content.length);
        OutputStream body = exchange.getResponseBody();
        if (announced != null && announced > content.length) {
            body.write(content);
            body.flush();
            exchange.close();
            return;
        }
        if (filesToTruncateOnce.remove(file)) {
            body.write(content, 0, content.length / 2);
            body.flush();
            // Closing short of the promised length makes the server drop the connection mid-body.
            exchange.close();
            return;
        }
        body.write(content);
    }

    private static void sendJson(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] json = new ObjectMapper().writeValueAsBytes(body);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, json.length);
        exchange.getResponseBody().write(json);
    }

    private static URI baseUri(HttpServer server) {
        InetSocketAddress address = server.getAddress();
        return URI.create("http://" + address.getHostString() + ":" + address.getPort());
    }

    static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
