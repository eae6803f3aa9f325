package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.io.SafetensorsFormatException;
import dev.arrakis.io.SafetensorsWriter;
import dev.arrakis.io.TensorData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shard names that leave the checkpoint directory. Opening the checkpoint always refused them, but
 * {@code weightFiles} (whose files are hashed into every run record) read the same index without the check.
 */
class ShardIndexFindingsTest {
    @TempDir
    Path root;

    @Test
    void aShardInTheParentDirectoryIsRefusedByWeightFiles() throws IOException {
        Path checkpoint = checkpointWithIndex("{\"weight_map\": {\"ln_f.bias\": \"../outside.safetensors\"}}");
        SafetensorsFormatException refusal = assertThrows(SafetensorsFormatException.class,
                () -> CheckpointFiles.weightFiles(checkpoint));
        assertEquals(checkpoint.resolve(CheckpointFiles.INDEX_FILE), refusal.file(), refusal.getMessage());
        assertEquals("ln_f.bias", refusal.tensor().orElseThrow(), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("'../outside.safetensors'"), refusal.getMessage());
    }

    @Test
    void anAbsoluteShardPathIsRefusedByWeightFiles() throws IOException {
        Path checkpoint = checkpointWithIndex("{\"weight_map\": {\"wte.weight\": \"/etc/passwd\"}}");
        SafetensorsFormatException refusal = assertThrows(SafetensorsFormatException.class,
                () -> CheckpointFiles.weightFiles(checkpoint));
        assertEquals("wte.weight", refusal.tensor().orElseThrow(), refusal.getMessage());
        assertTrue(refusal.getMessage().contains("'/etc/passwd'"), refusal.getMessage());
    }

    @Test
    void aShardNameWithDotSegmentsThatStaysInsideIsStillAccepted() throws IOException {
        Path checkpoint = checkpointWithIndex(
                "{\"weight_map\": {\"ln_f.bias\": \"sub/../model-00001-of-00001.safetensors\"}}");
        assertEquals(List.of(checkpoint.resolve("model-00001-of-00001.safetensors").normalize()),
                CheckpointFiles.weightFiles(checkpoint).stream().map(Path::normalize).toList());
    }

    private Path checkpointWithIndex(String index) throws IOException {
        Path checkpoint = Files.createDirectories(root.resolve("checkpoint"));
        SafetensorsWriter.write(checkpoint.resolve("model-00001-of-00001.safetensors"),
                Map.of("ln_f.bias", TensorData.f32(new long[] {1}, new float[] {0})), Map.of("format", "pt"));
        SafetensorsWriter.write(root.resolve("outside.safetensors"),
                Map.of("ln_f.bias", TensorData.f32(new long[] {1}, new float[] {0})), Map.of("format", "pt"));
        Files.writeString(checkpoint.resolve(CheckpointFiles.INDEX_FILE), index);
        return checkpoint;
    }
}
