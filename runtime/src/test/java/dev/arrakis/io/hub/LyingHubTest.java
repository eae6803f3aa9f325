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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hub that lies: about a file's digest, its length, its name, where it lives. Each lie is refused with a typed
 * error naming the file, nothing it sent is kept or linked, nothing lands outside the cache, and a snapshot already
 * in the cache stays as it was.
 */
class LyingHubTest {

    private static final String COMMIT = "607a30d783dfa663caf39e06633721c8d4cfcd7e";
    private static final String NEXT_COMMIT = "1111111111111111111111111111111111111111";
    private static final byte[] CONFIG = utf8("{\"model_type\": \"gpt2\", \"n_layer\": 2}");
    private static final byte[] WEIGHTS = randomBytes(200_000, 1);
    private static final byte[] NEW_WEIGHTS = randomBytes(200_000, 2);
    private static final byte[] TOKENIZER = utf8("{\"version\": \"1.0\"}");

    @TempDir
    Path temp;

    private LoopbackHub hub;
    private Path cacheDir;
    private Path repoFolder;

    @BeforeEach
    void startHub() throws IOException {
        hub = new LoopbackHub().withRepo("gpt2", COMMIT, files(
                "config.json", CONFIG, "model.safetensors", WEIGHTS, "tokenizer.json", TOKENIZER));
        cacheDir = temp.resolve("hub");
        repoFolder = cacheDir.resolve("models--gpt2");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void anLfsBlobWhoseBytesAreNotItsSha256IsDiscardedNamingBothDigests() throws IOException {
        hub.tamper("model.safetensors");
        byte[] tampered = WEIGHTS.clone();
        tampered[0] ^= 1;

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "'model.safetensors'", "'gpt2'", "sha256 " + LoopbackHub.sha256(WEIGHTS),
                LoopbackHub.sha256(tampered));
        assertEquals(List.of(), listing(repoFolder.resolve("blobs")), "no blob kept, not even a partial one");
        assertFalse(Files.exists(repoFolder.resolve("snapshots/" + COMMIT + "/model.safetensors"),
                java.nio.file.LinkOption.NOFOLLOW_LINKS), "nothing linked into the snapshot");
        assertFalse(Files.exists(repoFolder.resolve("refs/main")), "refs/main not written");

        hub.stopTampering("model.safetensors");
        Path snapshot = resolver().resolve("gpt2");

        assertArrayEquals(WEIGHTS, Files.readAllBytes(snapshot.resolve("model.safetensors")),
                "a retry downloads the true bytes afresh");
    }

    @Test
    void aBodyShorterThanItsContentLengthIsDiscardedNamingTheFile() throws IOException {
        hub.truncateOnce("config.json");

        ModelNotFoundException error = assertThrows(ModelNotFoundException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "'config.json'", "broke off after " + CONFIG.length / 2 + " of "
                + CONFIG.length + " bytes");
        assertEquals(sorted(LoopbackHub.sha256(WEIGHTS), LoopbackHub.gitEtag(TOKENIZER)),
                listing(repoFolder.resolve("blobs")), "only the complete files' blobs; no partial config");
        assertFalse(Files.exists(repoFolder.resolve("snapshots/" + COMMIT + "/config.json")), "config not linked");

        Path snapshot = resolver().resolve("gpt2");

        assertArrayEquals(CONFIG, Files.readAllBytes(snapshot.resolve("config.json")), "the retry starts clean");
    }

    @Test
    void anLfsFileShorterThanTheSizeTheHubAnnouncedIsDiscarded() throws IOException {
        hub.announcingLinkedSize("model.safetensors", WEIGHTS.length + 1000L);

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "'model.safetensors'", WEIGHTS.length + " of " + (WEIGHTS.length + 1000)
                + " bytes");
        assertEquals(List.of(), listing(repoFolder.resolve("blobs")), "no blob kept");
    }

    @Test
    void aHugeContentLengthIsRefusedBeforeWritingAnything() throws IOException {
        long petabyte = 1L << 50;
        hub.announcingLength("config.json", petabyte);

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "'config.json'", petabyte + " bytes", "free");
        assertEquals(sorted(LoopbackHub.sha256(WEIGHTS), LoopbackHub.gitEtag(TOKENIZER)),
                listing(repoFolder.resolve("blobs")), "no partial config blob");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../outside", "..", "/tmp/outside", "..\\..\\outside", "blobs/../../outside",
            "C:outside"})
    void anEtagThatIsAPathIsRefusedNamingTheFile(String etag) throws IOException {
        hub.claimingEtag("model.safetensors", etag);

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "'model.safetensors'", "'" + etag + "'");
        assertNothingOutsideTheCache();
        assertEquals(List.of(), listing(repoFolder.resolve("blobs")), "no blob kept");
    }

    @ParameterizedTest
    @ValueSource(strings = {"../escape.safetensors", "/tmp/escape.safetensors", "sub/../../escape.safetensors",
            "..\\escape.safetensors", "nul\u0000.safetensors", "./model.safetensors", "sub//model.safetensors"})
    void anIndexNamingAShardByAPathThatLeavesTheSnapshotIsRefused(String shard) throws IOException {
        hub.withRepo("lab/sharded", COMMIT, files(
                "config.json", CONFIG,
                "model.safetensors.index.json", utf8("{\"weight_map\": {\"w\": "
                        + dev.arrakis.io.Json.MAPPER.writeValueAsString(shard) + "}}"),
                shard, WEIGHTS));

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("lab/sharded"));

        assertMentions(error.getMessage(), "'lab/sharded'", "'" + shard + "'", "not a plain relative path");
        assertNothingOutsideTheCache();
        assertFalse(hub.downloadedFiles().stream().anyMatch(file -> file.contains("escape")),
                "the shard was never requested: " + hub.downloadedFiles());
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../outside", "/tmp/outside", "..\\outside", ".."})
    void aCommitThatIsAPathIsRefused(String commit) throws IOException {
        hub.withRepo("lab/odd-commit", commit, files("config.json", CONFIG, "model.safetensors", WEIGHTS));

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("lab/odd-commit"));

        assertMentions(error.getMessage(), "'" + commit + "'", "'lab/odd-commit'");
        assertNothingOutsideTheCache();
    }

    @Test
    void aListingWithNamesThatArePathsDownloadsOnlyTheCheckpointsOwnFiles() throws IOException {
        hub.withRepo("lab/odd-listing", COMMIT, files(
                "config.json", CONFIG, "model.safetensors", WEIGHTS,
                "../../../outside.json", CONFIG, "/etc/tokenizer.json", TOKENIZER));

        Path snapshot = resolver().resolve("lab/odd-listing");

        assertEquals(List.of("config.json", "model.safetensors"), listing(snapshot));
        assertNothingOutsideTheCache();
    }

    @Test
    void aRedirectLoopEndsWithAnErrorNamingTheFile() {
        hub.redirecting("config.json", "self");

        ModelNotFoundException error = assertThrows(ModelNotFoundException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "config.json", "redirected more than 10 times");
        assertFalse(Files.exists(repoFolder.resolve("snapshots/" + COMMIT + "/config.json")));
    }

    @Test
    void aRedirectToALocalFileIsRefused() {
        hub.redirecting("config.json", "file:///etc/passwd");

        ModelNotFoundException error = assertThrows(ModelNotFoundException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), "file:///etc/passwd", "not an http(s) URL");
        assertFalse(Files.exists(repoFolder.resolve("snapshots/" + COMMIT + "/config.json")));
    }

    @Test
    void aBlobsFolderPlantedAsALinkOutOfTheCacheIsRefusedWithoutWritingThere() throws IOException {
        Path elsewhere = Files.createDirectories(temp.resolve("elsewhere"));
        Files.createDirectories(repoFolder);
        Files.createSymbolicLink(repoFolder.resolve("blobs"), elsewhere);

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), repoFolder.resolve("blobs").toString(), "symbolic link");
        assertEquals(List.of(), listing(elsewhere), "nothing written through the link");
    }

    @Test
    void aSnapshotFilePlantedAsALinkOutOfTheCacheIsRefusedNamingIt() throws IOException {
        Path secret = Files.writeString(temp.resolve("secret.txt"), "not weights");
        Path planted = Files.createDirectories(repoFolder.resolve("snapshots/" + COMMIT)).resolve("model.safetensors");
        Files.createSymbolicLink(planted, secret);

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), planted.toString(), secret.toString());
        assertEquals("not weights", Files.readString(secret), "the file it points to is left alone");
    }

    @Test
    void aCachedSnapshotWithALinkOutOfTheCacheIsRefusedNamingIt() throws IOException {
        Path secret = Files.writeString(temp.resolve("secret.json"), "{}");
        Path snapshot = Files.createDirectories(repoFolder.resolve("snapshots/" + COMMIT));
        Files.createSymbolicLink(snapshot.resolve("config.json"), secret);
        Files.createDirectories(repoFolder.resolve("refs"));
        Files.writeString(repoFolder.resolve("refs/main"), COMMIT);

        HubException error = assertThrows(HubException.class, () -> resolver().resolve("gpt2"));

        assertMentions(error.getMessage(), snapshot.resolve("config.json").toString(), secret.toString());
        assertEquals(0, hub.requests().size(), "a cache hit asks the hub nothing");
    }

    @Test
    void aFailedUpdateLeavesTheSnapshotThatWasThereAsItWas() throws IOException, InterruptedException {
        Path good = resolver().resolve("gpt2");
        Map<String, byte[]> before = contents(good);
        List<String> blobsBefore = listing(repoFolder.resolve("blobs"));
        hub.withRepo("gpt2", NEXT_COMMIT, files(
                "config.json", CONFIG, "model.safetensors", NEW_WEIGHTS, "tokenizer.json", TOKENIZER))
                .tamper("model.safetensors");

        assertThrows(HubException.class, () -> update());

        assertEquals(COMMIT, Files.readString(repoFolder.resolve("refs/main")), "refs/main still names the old commit");
        assertContents(before, good);
        assertEquals(blobsBefore, listing(repoFolder.resolve("blobs")), "no blob added or removed");
    }

    @Test
    void anUpdateServingOtherBytesUnderAnExistingBlobsNameKeepsTheBlobThatWasThere() throws IOException,
            InterruptedException {
        Path good = resolver().resolve("gpt2");
        Map<String, byte[]> before = contents(good);
        hub.withRepo("gpt2", NEXT_COMMIT, files(
                "config.json", CONFIG, "model.safetensors", WEIGHTS, "tokenizer.json", TOKENIZER))
                .tamper("config.json")
                .tamper("tokenizer.json");

        Path updated = update();

        assertContents(before, good);
        assertContents(before, updated);
    }

    private Path update() throws IOException, InterruptedException {
        HubSettings settings = settings();
        return new SnapshotDownloader(new HttpHubApi(settings), new RepoCache(cacheDir, new RepoId("gpt2")),
                line -> {}).download(new RepoId("gpt2"));
    }

    private HubModelResolver resolver() {
        return new HubModelResolver(settings());
    }

    private HubSettings settings() {
        return new HubSettings(cacheDir, hub.endpoint(), Optional.empty(), false, Duration.ofSeconds(5));
    }

    private static Map<String, byte[]> contents(Path snapshot) throws IOException {
        Map<String, byte[]> contents = new LinkedHashMap<>();
        for (String file : listing(snapshot)) {
            contents.put(file, Files.readAllBytes(snapshot.resolve(file)));
        }
        return contents;
    }

    private static void assertContents(Map<String, byte[]> expected, Path snapshot) throws IOException {
        assertEquals(List.copyOf(expected.keySet()), listing(snapshot), "files of " + snapshot);
        for (Map.Entry<String, byte[]> file : expected.entrySet()) {
            assertArrayEquals(file.getValue(), Files.readAllBytes(snapshot.resolve(file.getKey())),
                    file.getKey() + " in " + snapshot + " keeps its bytes");
        }
    }

    private void assertNothingOutsideTheCache() throws IOException {
        List<String> outside = listing(temp).stream().filter(name -> !name.equals("hub")).toList();
        assertEquals(List.of(), outside, "written next to the cache " + cacheDir);
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), () -> "expected '" + part + "' in:\n" + message);
        }
    }

    private static List<String> sorted(String... names) {
        return Stream.of(names).sorted().toList();
    }

    private static List<String> listing(Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
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
