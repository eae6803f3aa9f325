package dev.arrakis.model;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.io.hub.ModelNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A model name resolves through an HF cache laid out as huggingface_hub lays it out, offline. */
class LoadByNameTest {
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    @TempDir
    Path cache;

    @Test
    void aCachedSnapshotLoadsByNameAndComputesWhatTheDirectoryDoes() throws IOException {
        ReferenceCase reference = ReferenceCase.of("gpt2-hub-layout");
        Path repo = cache.resolve("models--arrakis-test--gpt2-tiny");
        Path snapshot = Files.createDirectories(repo.resolve("snapshots").resolve(COMMIT));
        Files.createDirectories(repo.resolve("blobs"));
        try (Stream<Path> files = Files.list(reference.directory())) {
            for (Path file : files.filter(f -> !f.getFileName().toString().startsWith("reference")).toList()) {
                Path blob = Files.copy(file, repo.resolve("blobs").resolve("blob-" + file.getFileName()));
                Files.createSymbolicLink(snapshot.resolve(file.getFileName()), snapshot.relativize(blob));
            }
        }
        Files.createDirectories(repo.resolve("refs"));
        Files.writeString(repo.resolve("refs/main"), COMMIT);
        HubSettings offline = new HubSettings(cache, URI.create("http://127.0.0.1:9"), Optional.empty(), true,
                Duration.ofSeconds(1));
        TokenBatch batch = TokenBatch.of(new long[] {3, 1, 4, 1, 5, 9});
        try (HookedTransformer byName = HookedTransformer.load("arrakis-test/gpt2-tiny", offline);
                HookedTransformer byDirectory = HookedTransformer.load(reference.directory());
                ForwardResult named = byName.forward(batch);
                ForwardResult direct = byDirectory.forward(batch)) {
            assertEquals(snapshot, byName.source());
            assertClose("same checkpoint, two routes", direct.logits().toFloatArray(), named.logits().toFloatArray(), 0);
        }
        ModelNotFoundException absent = assertThrows(ModelNotFoundException.class,
                () -> HookedTransformer.load("arrakis-test/not-there", offline));
        assertTrue(absent.getMessage().contains(cache.toString()), absent.getMessage());
    }
}
