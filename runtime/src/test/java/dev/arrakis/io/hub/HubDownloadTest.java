package dev.arrakis.io.hub;

import static dev.arrakis.io.hub.LoopbackHub.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Downloads from a loopback hub into the huggingface_hub cache layout. */
class HubDownloadTest {

    private static final String GPT2_COMMIT = "607a30d783dfa663caf39e06633721c8d4cfcd7e";
    private static final String SHARDED_COMMIT = "0123456789abcdef0123456789abcdef01234567";

    private static final byte[] CONFIG = utf8("{\"model_type\": \"gpt2\", \"n_layer\": 2}");
    private static final byte[] WEIGHTS = randomBytes(300_000, 1);
    private static final byte[] TOKENIZER = utf8("{\"version\": \"1.0\", \"model\": {\"type\": \"BPE\"}}");
    private static final byte[] GENERATION_CONFIG = utf8("{\"max_length\": 20}");
    private static final byte[] SHARD_1 = randomBytes(70_000, 2);
    private static final byte[] SHARD_2 = randomBytes(50_000, 3);
    private static final byte[] INDEX = utf8("{\"metadata\": {\"total_size\": 120000}, \"weight_map\": {"
            + "\"wte.weight\": \"model-00001-of-00002.safetensors\","
            + "\"h.0.attn.weight\": \"model-00001-of-00002.safetensors\","
            + "\"h.1.attn.weight\": \"model-00002-of-00002.safetensors\"}}");

    @TempDir
    Path temp;

    private LoopbackHub hub;
    private Path cacheDir;

    @BeforeEach
    void startHub() throws IOException {
        hub = new LoopbackHub()
                .withRepo("gpt2", GPT2_COMMIT, files(
                        "config.json", CONFIG,
                        "model.safetensors", WEIGHTS,
                        "tokenizer.json", TOKENIZER,
                        "generation_config.json", GENERATION_CONFIG,
                        "README.md", utf8("# gpt2"),
                        "pytorch_model.bin", utf8("pickle")))
                .withRepo("EleutherAI/pythia-sharded", SHARDED_COMMIT, files(
                        "config.json", CONFIG,
                        "model.safetensors.index.json", INDEX,
                        "model-00001-of-00002.safetensors", SHARD_1,
                        "model-00002-of-00002.safetensors", SHARD_2))
                .withoutEtag("generation_config.json");
        cacheDir = temp.resolve("hub");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void downloadFillsTheCacheInHuggingfaceHubLayout() throws IOException {
        Path snapshot = resolver(Optional.empty()).resolve("gpt2");

        Path repo = cacheDir.resolve("models--gpt2");
        assertEquals(repo.resolve("snapshots/" + GPT2_COMMIT), snapshot);
        assertEquals(GPT2_COMMIT, Files.readString(repo.resolve("refs/main")));
        assertLinkedBlob(snapshot, "model.safetensors", LoopbackHub.sha256(WEIGHTS), WEIGHTS);
        assertLinkedBlob(snapshot, "config.json", LoopbackHub.gitEtag(CONFIG), CONFIG);
        assertLinkedBlob(snapshot, "tokenizer.json", LoopbackHub.gitEtag(TOKENIZER), TOKENIZER);
        assertLinkedBlob(snapshot, "generation_config.json", LoopbackHub.sha256(GENERATION_CONFIG),
                GENERATION_CONFIG);
        assertEquals(List.of("config.json", "generation_config.json", "model.safetensors", "tokenizer.json"),
                listing(snapshot));
        assertEquals(4, listing(repo.resolve("blobs")).size(), "no leftovers next to the blobs");
    }

    @Test
    void secondResolveIsServedFromTheCacheWithoutRequests() {
        HubModelResolver resolver = resolver(Optional.empty());
        Path first = resolver.resolve("gpt2");
        int requestsAfterDownload = hub.requests().size();

        Path second = resolver(Optional.empty()).resolve("gpt2");

        assertEquals(first, second);
        assertEquals(requestsAfterDownload, hub.requests().size());
    }

    @Test
    void onlyCheckpointFilesAreDownloaded() {
        resolver(Optional.empty()).resolve("gpt2");

        assertEquals(List.of("model.safetensors", "tokenizer.json", "generation_config.json", "config.json"),
                hub.downloadedFiles());
    }

    @Test
    void shardedWeightsAreDownloadedWithEveryShardTheIndexNames() throws IOException {
        Path snapshot = resolver(Optional.empty()).resolve("EleutherAI/pythia-sharded");

        assertEquals(cacheDir.resolve("models--EleutherAI--pythia-sharded/snapshots/" + SHARDED_COMMIT), snapshot);
        assertLinkedBlob(snapshot, "model.safetensors.index.json", LoopbackHub.gitEtag(INDEX), INDEX);
        assertLinkedBlob(snapshot, "model-00001-of-00002.safetensors", LoopbackHub.sha256(SHARD_1), SHARD_1);
        assertLinkedBlob(snapshot, "model-00002-of-00002.safetensors", LoopbackHub.sha256(SHARD_2), SHARD_2);
        assertArrayEquals(CONFIG, Files.readAllBytes(snapshot.resolve("config.json")));
    }

    @Test
    void tokenGoesToTheHubButNotToTheCdnItRedirectsTo() {
        resolver(Optional.of("hf_secret")).resolve("gpt2");

        List<LoopbackHub.Request> hubRequests = requestsTo("hub");
        List<LoopbackHub.Request> cdnRequests = requestsTo("cdn");
        assertFalse(hubRequests.isEmpty(), "requests: " + hub.requests());
        assertEquals(1, cdnRequests.size(), "the weights come from the CDN");
        hubRequests.forEach(request -> assertEquals(Optional.of("Bearer hf_secret"), request.authorization()));
        assertEquals(Optional.empty(), cdnRequests.get(0).authorization());
    }

    @Test
    void withoutATokenNoAuthorizationIsSentAndTheUserAgentNamesArrakis() {
        resolver(Optional.empty()).resolve("gpt2");

        hub.requests().forEach(request -> {
            assertEquals(Optional.empty(), request.authorization());
            assertTrue(request.userAgent().orElseThrow().startsWith("arrakis-java"), request.toString());
        });
    }

    @Test
    void progressGetsOneLinePerFile() {
        List<String> lines = new ArrayList<>();

        new HubModelResolver(settings(Optional.empty()), lines::add).resolve("EleutherAI/pythia-sharded");

        assertEquals(List.of(
                "EleutherAI/pythia-sharded: downloading model.safetensors.index.json",
                "EleutherAI/pythia-sharded: downloading model-00001-of-00002.safetensors",
                "EleutherAI/pythia-sharded: downloading model-00002-of-00002.safetensors",
                "EleutherAI/pythia-sharded: downloading config.json"), lines);
    }

    @Test
    void brokenDownloadLeavesNoBlobUnderItsFinalNameAndARetryFinishesIt() throws IOException {
        hub.truncateOnce("model-00002-of-00002.safetensors");

        assertThrows(ModelNotFoundException.class,
                () -> resolver(Optional.empty()).resolve("EleutherAI/pythia-sharded"));

        Path repo = cacheDir.resolve("models--EleutherAI--pythia-sharded");
        for (String left : List.of("blobs/" + LoopbackHub.sha256(SHARD_2), "snapshots/" + SHARDED_COMMIT
                + "/config.json", "refs/main")) {
            assertFalse(Files.exists(repo.resolve(left)), "left behind: " + repo.resolve(left));
        }

        Path snapshot = resolver(Optional.empty()).resolve("EleutherAI/pythia-sharded");

        assertArrayEquals(SHARD_2, Files.readAllBytes(snapshot.resolve("model-00002-of-00002.safetensors")));
        assertEquals(1, hub.downloadedFiles().stream().filter("model-00001-of-00002.safetensors"::equals).count(),
                "the retry resumes after the files that were complete");
    }

    @Test
    void leftoversOfACrashedDownloadAreIgnored() throws IOException {
        Path repo = cacheDir.resolve("models--gpt2");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Files.write(blobs.resolve("blob.0f2c9a2e.incomplete"), new byte[] {1, 2, 3});
        Path staleSnapshot = Files.createDirectories(repo.resolve("snapshots/" + GPT2_COMMIT));
        Files.write(staleSnapshot.resolve("model.safetensors.4d1e.incomplete"), new byte[] {4});

        Path snapshot = resolver(Optional.empty()).resolve("gpt2");

        assertArrayEquals(WEIGHTS, Files.readAllBytes(snapshot.resolve("model.safetensors")));
        assertArrayEquals(CONFIG, Files.readAllBytes(snapshot.resolve("config.json")));
    }

    private HubModelResolver resolver(Optional<String> token) {
        return new HubModelResolver(settings(token));
    }

    private HubSettings settings(Optional<String> token) {
        return new HubSettings(cacheDir, hub.endpoint(), token, false, Duration.ofSeconds(5));
    }

    private List<LoopbackHub.Request> requestsTo(String server) {
        return hub.requests().stream().filter(request -> request.server().equals(server)).toList();
    }

    private static void assertLinkedBlob(Path snapshot, String file, String etag, byte[] content) throws IOException {
        Path link = snapshot.resolve(file);
        assertTrue(Files.isSymbolicLink(link), file + " is a symbolic link");
        assertEquals(Path.of("../../blobs/" + etag), Files.readSymbolicLink(link));
        assertArrayEquals(content, Files.readAllBytes(link));
    }

    private static List<String> listing(Path directory) throws IOException {
        try (Stream<Path> entries = Files.list(directory)) {
            return entries.map(entry -> entry.getFileName().toString()).sorted().toList();
        }
    }

    private static Map<String, byte[]> files(Object... namesAndContents) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (int i = 0; i < namesAndContents.length; i += 2) {
            files.put((String) namesAndContents[i], (byte[]) namesAndContents[i + 1]);
        }
        return files;
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }
}
