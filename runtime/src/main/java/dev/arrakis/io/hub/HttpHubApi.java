package dev.arrakis.io.hub;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** {@link HubApi} over the hub's HTTP interface, as huggingface.co and its mirrors serve it. */
final class HttpHubApi implements HubApi {

    private static final String USER_AGENT = "arrakis-java; java/" + Runtime.version();
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final int MAX_REDIRECTS = 10;
    private static final Set<String> WEB_SCHEMES = Set.of("http", "https");

    private final HttpClient client;
    private final String endpoint;
    private final Optional<String> token;
    private final Duration timeout;

    HttpHubApi(HubSettings settings) {
        // Redirects are followed by hand: the hub's redirect of a large file to its CDN carries the file's etag,
        // and the token must not travel on to the CDN's host.
        this.client = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.endpoint = settings.endpoint().toString().replaceAll("/+$", "");
        this.token = settings.token();
        this.timeout = settings.timeout();
    }

    @Override
    public RepoRevision revision(RepoId repo, String revision) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + "/api/models/" + repo + "/revision/" + encodePath(revision));
        try (InputStream body = get(uri, "repo '" + repo + "'").response().body()) {
            JsonNode answer = Json.MAPPER.readTree(body);
            String commit = answer.path("sha").asText("");
            if (commit.isEmpty()) {
                throw new HubException(uri + " answered without the commit hash ('sha') of the revision");
            }
            List<String> files = new ArrayList<>();
            for (JsonNode sibling : answer.path("siblings")) {
                files.add(sibling.path("rfilename").asText());
            }
            return new RepoRevision(commit, files);
        } catch (JacksonException e) {
            throw new HubException(uri + " answered with malformed JSON: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public FileDownload open(RepoId repo, String commit, String file) throws IOException, InterruptedException {
        URI uri = URI.create(endpoint + "/" + repo + "/resolve/" + encodePath(commit) + "/" + encodePath(file));
        Exchange exchange = get(uri, "'" + file + "' in repo '" + repo + "'");
        Optional<String> etag = exchange.linkedEtag()
                .or(() -> exchange.response().headers().firstValue("ETag"))
                .map(HttpHubApi::plainEtag);
        OptionalLong size = exchange.linkedSize().isPresent() ? exchange.linkedSize()
                : exchange.response().headers().firstValueAsLong("Content-Length");
        return new FileDownload(etag, size, exchange.response().body());
    }

    private Exchange get(URI start, String subject) throws IOException, InterruptedException {
        URI uri = start;
        Optional<String> linkedEtag = Optional.empty();
        OptionalLong linkedSize = OptionalLong.empty();
        for (int redirects = 0; ; redirects++) {
            HttpResponse<InputStream> response = send(request(uri, sameOrigin(start, uri)));
            // Only the hub's own answer names the blob by its content; a CDN's ETag is its own business.
            linkedEtag = linkedEtag.or(() -> response.headers().firstValue("X-Linked-Etag"));
            if (linkedSize.isEmpty()) {
                linkedSize = size(response.headers().firstValue("X-Linked-Size"));
            }
            int status = response.statusCode();
            if (status == 200) {
                return new Exchange(response, linkedEtag, linkedSize);
            }
            response.body().close();
            if (!REDIRECTS.contains(status)) {
                throw new HubStatusException(status, uri, subject);
            }
            if (redirects == MAX_REDIRECTS) {
                throw new IOException(start + " redirected more than " + MAX_REDIRECTS + " times");
            }
            uri = redirectTarget(uri, response);
        }
    }

    private HttpResponse<InputStream> send(HttpRequest request) throws HubConnectionException, InterruptedException {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new HubConnectionException(request.uri(), e);
        }
    }

    private HttpRequest request(URI uri, boolean withToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("User-Agent", USER_AGENT)
                .GET();
        if (withToken) {
            token.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        }
        return request.build();
    }

    private static URI redirectTarget(URI from, HttpResponse<?> response) throws IOException {
        String location = response.headers().firstValue("Location")
                .orElseThrow(() -> new IOException(from + " redirected without a Location header"));
        URI target;
        try {
            target = from.resolve(location);
        } catch (IllegalArgumentException e) {
            throw new IOException(from + " redirected to a malformed location: " + location, e);
        }
        if (target.getHost() == null || !WEB_SCHEMES.contains(target.getScheme().toLowerCase(Locale.ROOT))) {
            throw new IOException(from + " redirected to " + location + ", which is not an http(s) URL");
        }
        return target;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return origin(a).equals(origin(b));
    }

    private static String origin(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }

    /** A length header's value; one that is not a count of bytes says nothing, as if it were absent. */
    private static OptionalLong size(Optional<String> header) {
        try {
            long size = Long.parseLong(header.orElse("-1").trim());
            return size >= 0 ? OptionalLong.of(size) : OptionalLong.empty();
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** {@code W/"abc"} and {@code "abc"} both become {@code abc}. */
    private static String plainEtag(String etag) {
        String strong = etag.startsWith("W/") ? etag.substring(2) : etag;
        return strong.replace("\"", "").trim();
    }

    private static String encodePath(String path) {
        return Stream.of(path.split("/", -1))
                .map(segment -> URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"))
                .collect(Collectors.joining("/"));
    }

    private record Exchange(HttpResponse<InputStream> response, Optional<String> linkedEtag, OptionalLong linkedSize) {}
}
