package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.io.SafetensorsWriter;
import dev.arrakis.io.TensorData;
import dev.arrakis.io.WeightSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as a {@code model.safetensors.index.json} beside two real shards, with a third safetensors file just
 * outside the checkpoint directory: shard names must stay inside the directory ({@code ../outside.safetensors},
 * absolute paths), name shards that exist and hold the tensors mapped to them. The outside file holds a tensor
 * {@code secret} no shard has, so reading it would show in the names.
 */
class ShardIndexFuzzTest {
    private static final String OUTSIDE_TENSOR = "secret";

    @TempDir
    Path root;

    private Path checkpoint;

    @BeforeEach
    void writeShards() throws IOException {
        checkpoint = Files.createDirectories(root.resolve("checkpoint"));
        SafetensorsWriter.write(checkpoint.resolve("model-00001-of-00002.safetensors"), Map.of(
                "wte.weight", TensorData.f32(new long[] {2, 2}, new float[] {1, 2, 3, 4}),
                "ln_f.weight", TensorData.f32(new long[] {2}, new float[] {1, 1})), Map.of("format", "pt"));
        SafetensorsWriter.write(checkpoint.resolve("model-00002-of-00002.safetensors"), Map.of(
                "ln_f.bias", TensorData.f32(new long[] {2}, new float[] {0, 0})), Map.of("format", "pt"));
        SafetensorsWriter.write(root.resolve("outside.safetensors"), Map.of(
                OUTSIDE_TENSOR, TensorData.f32(new long[] {1}, new float[] {42}),
                "ln_f.bias", TensorData.f32(new long[] {2}, new float[] {0, 0})), Map.of("format", "pt"));
    }

    @FuzzTest(maxDuration = "30s")
    void anyIndexOpensShardsInsideTheCheckpointOrIsRefused(byte[] bytes) throws IOException {
        Files.write(checkpoint.resolve(CheckpointFiles.INDEX_FILE), bytes);
        UntrustedInput.refusalOf(() -> {
            try (WeightSource weights = CheckpointFiles.open(checkpoint)) {
                assertFalse(weights.names().contains(OUTSIDE_TENSOR),
                        "read tensor '" + OUTSIDE_TENSOR + "' from outside " + checkpoint + ": " + weights.names());
                for (String name : weights.names()) {
                    weights.readFloats(name);
                }
            }
        });
        UntrustedInput.refusalOf(() -> {
            List<Path> files = CheckpointFiles.weightFiles(checkpoint);
            for (Path file : files) {
                assertTrue(file.toAbsolutePath().normalize().startsWith(checkpoint.toAbsolutePath().normalize()),
                        "weight file " + file + " lies outside " + checkpoint);
            }
        });
    }
}
