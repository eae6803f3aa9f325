package dev.arrakis.io.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Resolution that needs no download: checkpoint directories, cache hits, and names refused up front. */
class HubCacheTest {

    private static final String COMMIT = "a".repeat(40);
    private static final String OLDER_COMMIT = "b".repeat(40);

    @TempDir
    Path temp;

    private LoopbackHub hub;
    private Path cacheDir;
    private HubModelResolver resolver;

    @BeforeEach
    void startHub() throws IOException {
        hub = new LoopbackHub();
        cacheDir = temp.resolve("hub");
        resolver = new HubModelResolver(
                new HubSettings(cacheDir, hub.endpoint(), Optional.empty(), false, Duration.ofSeconds(5)));
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    @Test
    void snapshotNamedByRefsMainIsResolvedWithoutAnyRequest() throws IOException {
        Path snapshot = cacheSnapshot("models--EleutherAI--pythia-70m", COMMIT);
        Files.writeString(cacheDir.resolve("models--EleutherAI--pythia-70m/refs/main"), COMMIT);
        cacheSnapshot("models--EleutherAI--pythia-70m", OLDER_COMMIT);

        assertEquals(snapshot, resolver.resolve("EleutherAI/pythia-70m"));
        assertEquals(0, hub.requests().size());
    }

    @Test
    void transformerLensNamesStandForTheCataloguesRepository() throws IOException {
        Path pythia = cacheSnapshot("models--EleutherAI--pythia-70m", COMMIT);
        Files.writeString(cacheDir.resolve("models--EleutherAI--pythia-70m/refs/main"), COMMIT);
        Path gpt2 = cacheSnapshot("models--gpt2", COMMIT);
        Files.writeString(cacheDir.resolve("models--gpt2/refs/main"), COMMIT);

        assertEquals(pythia, resolver.resolve("pythia-70m"), "pythia-70m");
        assertEquals(pythia, resolver.resolve("Pythia-19M"), "Pythia-19M (EleutherAI's old name)");
        assertEquals(gpt2, resolver.resolve("gpt2-small"), "gpt2-small");
        assertEquals(0, hub.requests().size(), "requests: " + hub.requests());
    }

    @Test
    void aNameCachedAsTypedIsUsedBeforeTheCataloguesRepository() throws IOException {
        Path typed = cacheSnapshot("models--pythia-70m", COMMIT);
        Files.writeString(cacheDir.resolve("models--pythia-70m/refs/main"), COMMIT);
        cacheSnapshot("models--EleutherAI--pythia-70m", OLDER_COMMIT);

        assertEquals(typed, resolver.resolve("pythia-70m"));
    }

    @Test
    void withoutAUsableRefTheNewestSnapshotWithAConfigIsResolved() throws IOException {
        Path older = cacheSnapshot("models--gpt2", OLDER_COMMIT);
        Path newer = cacheSnapshot("models--gpt2", COMMIT);
        Files.setLastModifiedTime(older, FileTime.from(Instant.parse("2024-01-01T00:00:00Z")));
        Files.setLastModifiedTime(newer, FileTime.from(Instant.parse("2025-01-01T00:00:00Z")));
        Path unfinished = Files.createDirectories(cacheDir.resolve("models--gpt2/snapshots/" + "c".repeat(40)));
        Files.writeString(cacheDir.resolve("models--gpt2/refs/main"), "c".repeat(40));
        Files.setLastModifiedTime(unfinished, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));

        assertEquals(newer, resolver.resolve("gpt2"));
        assertEquals(0, hub.requests().size());
    }

    @Test
    void existingCheckpointDirectoryIsUsedAsItIs() throws IOException {
        Path checkpoint = Files.createDirectories(temp.resolve("my-checkpoint"));
        Files.writeString(checkpoint.resolve("config.json"), "{}");

        assertEquals(checkpoint, resolver.resolve(checkpoint.toString()));
        assertEquals(0, hub.requests().size());
    }

    @Test
    void directoryWithoutConfigIsRefusedNamingIt() throws IOException {
        Path empty = Files.createDirectories(temp.resolve("not-a-checkpoint"));

        ArrakisException error = assertThrows(ArrakisException.class, () -> resolver.resolve(empty.toString()));

        assertTrue(error.getMessage().contains(empty.toString()), error.getMessage());
        assertTrue(error.getMessage().contains("config.json"), error.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "../gpt2", "org/team/model", "has space", "org/", "/gpt2", "gpt2--x", "-gpt2"})
    void invalidNamesAreRefusedBeforeAnyIo(String name) {
        ArrakisException error = assertThrows(ArrakisException.class, () -> resolver.resolve(name));

        assertTrue(error.getMessage().contains("'" + name + "'"), error.getMessage());
        assertEquals(0, hub.requests().size());
        assertFalse(Files.exists(cacheDir), "no cache created at " + cacheDir);
    }

    private Path cacheSnapshot(String repoFolder, String commit) throws IOException {
        Path repo = cacheDir.resolve(repoFolder);
        Path blob = repo.resolve("blobs/" + commit.charAt(0) + "-config");
        Files.createDirectories(blob.getParent());
        Files.writeString(blob, "{\"model_type\": \"gpt_neox\"}");
        Path snapshot = Files.createDirectories(repo.resolve("snapshots/" + commit));
        Files.createSymbolicLink(snapshot.resolve("config.json"), snapshot.relativize(blob));
        Files.createDirectories(repo.resolve("refs"));
        return snapshot;
    }
}
