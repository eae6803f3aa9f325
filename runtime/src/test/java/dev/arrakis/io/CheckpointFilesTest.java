package dev.arrakis.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CheckpointFilesTest {
    private static final String FIRST_SHARD = "model-00001-of-00002.safetensors";
    private static final String SECOND_SHARD = "model-00002-of-00002.safetensors";

    @TempDir
    Path directory;

    @Test
    void readsASingleFileCheckpoint() {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("wte.weight", TensorData.f32(new long[] {2}, new float[] {1f, 2f}));
        tensors.put("ln_f.bias", TensorData.f32(new long[] {1}, new float[] {3f}));
        SafetensorsWriter.write(directory.resolve("model.safetensors"), tensors, Map.of());

        try (WeightSource weights = CheckpointFiles.open(directory)) {
            assertEquals(List.of("wte.weight", "ln_f.bias"), List.copyOf(weights.names()));
            assertArrayEquals(new float[] {3f}, weights.readFloats("ln_f.bias"));
            assertEquals(8, weights.bytes("wte.weight").remaining());
            UnknownTensorException e = assertThrows(UnknownTensorException.class, () -> weights.info("ln_f.bais"));
            assertTrue(e.getMessage().contains("'ln_f.bais'") && e.getMessage().contains("did you mean 'ln_f.bias'"),
                    e.getMessage());
            assertTrue(e.getMessage().contains(directory.toString()), e.getMessage());
        }
    }

    @Test
    void readsAShardedCheckpointThroughItsIndex() throws IOException {
        writeTwoShards();
        writeIndex("\"wte.weight\": \"" + FIRST_SHARD + "\", \"blocks.0.w\": \"" + FIRST_SHARD + "\","
                + " \"unembed.W_U\": \"" + SECOND_SHARD + "\"");

        try (WeightSource weights = CheckpointFiles.open(directory)) {
            assertEquals(List.of("wte.weight", "blocks.0.w", "unembed.W_U"), List.copyOf(weights.names()));
            assertTrue(weights.contains("unembed.W_U"), "names " + weights.names());
            assertFalse(weights.contains("model.safetensors"), "a file name is no tensor name: " + weights.names());
            assertArrayEquals(new float[] {1f, 2f}, weights.readFloats("wte.weight"));
            assertArrayEquals(new float[] {5f, 6f, 7f}, weights.readFloats("unembed.W_U"));
            assertEquals(new TensorInfo("blocks.0.w", SafetensorsDType.F32, new long[] {1, 1}),
                    weights.info("blocks.0.w"));
            assertEquals(12, weights.bytes("unembed.W_U").remaining());
            assertThrows(UnknownTensorException.class, () -> weights.readFloats("unembed.W_u"));
        }
    }

    @Test
    void closingTheSourceClosesEveryShard() throws IOException {
        writeTwoShards();
        writeIndex("\"wte.weight\": \"" + FIRST_SHARD + "\", \"unembed.W_U\": \"" + SECOND_SHARD + "\"");
        WeightSource weights = CheckpointFiles.open(directory);
        weights.close();
        assertThrows(IllegalStateException.class, () -> weights.bytes("wte.weight"));
        assertThrows(IllegalStateException.class, () -> weights.bytes("unembed.W_U"));
    }

    @Test
    void indexNamingAMissingShardNamesTensorAndShard() throws IOException {
        writeTwoShards();
        writeIndex("\"wte.weight\": \"" + FIRST_SHARD + "\", \"lm_head\": \"model-00003-of-00002.safetensors\"");
        assertIndexRejected("lm_head", "shard 'model-00003-of-00002.safetensors', which does not exist");
    }

    @Test
    void indexNamingATensorItsShardLacksNamesTensorAndShard() throws IOException {
        writeTwoShards();
        writeIndex("\"wte.weight\": \"" + SECOND_SHARD + "\"");
        assertIndexRejected("wte.weight", "shard '" + SECOND_SHARD + "', which holds no such tensor");
    }

    @Test
    void indexNamingAShardOutsideTheDirectoryIsRefusedEvenIfThatFileExists() throws IOException {
        Path checkpoint = Files.createDirectory(directory.resolve("checkpoint"));
        SafetensorsWriter.write(directory.resolve("outside.safetensors"),
                Map.of("wte.weight", TensorData.f32(new long[] {1}, new float[1])), Map.of());
        Files.writeString(checkpoint.resolve(CheckpointFiles.INDEX_FILE),
                "{\"weight_map\": {\"wte.weight\": \"../outside.safetensors\"}}");
        assertIndexRejected(checkpoint, "wte.weight", "shard '../outside.safetensors', which lies outside");

        String absolute = directory.resolve("outside.safetensors").toString().replace("\\", "\\\\");
        Files.writeString(checkpoint.resolve(CheckpointFiles.INDEX_FILE),
                "{\"weight_map\": {\"wte.weight\": \"" + absolute + "\"}}");
        assertIndexRejected(checkpoint, "wte.weight", "which lies outside");
    }

    @Test
    void indexWithoutAWeightMapIsRejected() throws IOException {
        writeIndex("");
        Files.writeString(directory.resolve(CheckpointFiles.INDEX_FILE), "{\"metadata\": {\"total_size\": 12}}");
        assertIndexRejected(null, "no \"weight_map\" object");
    }

    @Test
    void indexThatIsNotJsonIsRejected() throws IOException {
        Files.writeString(directory.resolve(CheckpointFiles.INDEX_FILE), "{\"weight_map\": {");
        assertIndexRejected(null, "not valid JSON");
    }

    @Test
    void indexMappingATensorToANonStringIsRejected() throws IOException {
        writeIndex("\"wte.weight\": 3");
        assertIndexRejected("wte.weight", "not to a shard file name");
    }

    /** The .bin holds no valid pickle at all: the refusal comes from its name alone. */
    @Test
    void refusesPickleWeightsWithoutReadingThem() throws IOException {
        Files.write(directory.resolve("pytorch_model.bin"), new byte[] {'n', 'o', 't', ' ', 'p', 'i', 'c', 'k', 'l'});
        Files.writeString(directory.resolve("config.json"), "{}");
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> CheckpointFiles.open(directory));
        assertConversionAdvice(e, "pytorch_model.bin");
    }

    /** A dangling link cannot be read, so any attempt to open the pickle would fail differently. */
    @Test
    void refusesPickleWeightsThatCouldNotEvenBeOpened() throws IOException {
        Files.createSymbolicLink(directory.resolve("pytorch_model.bin"), directory.resolve("no-such-target"));
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> CheckpointFiles.open(directory));
        assertConversionAdvice(e, "pytorch_model.bin");
    }

    @ParameterizedTest
    @ValueSource(strings = {"pytorch_model.bin.index.json", "pytorch_model-00001-of-00002.bin", "model.pt",
            "weights.pth"})
    void refusesEveryKindOfPickleCheckpoint(String fileName) throws IOException {
        Files.writeString(directory.resolve(fileName), "garbage");
        UnsupportedCheckpointException e = assertThrows(UnsupportedCheckpointException.class,
                () -> CheckpointFiles.open(directory));
        assertConversionAdvice(e, fileName);
    }

    @Test
    void prefersSafetensorsOverPickleWeightsBesideThem() throws IOException {
        Files.writeString(directory.resolve("pytorch_model.bin"), "garbage");
        SafetensorsWriter.write(directory.resolve("model.safetensors"),
                Map.of("w", TensorData.f32(new long[] {1}, new float[] {9f})), Map.of());
        try (WeightSource weights = CheckpointFiles.open(directory)) {
            assertArrayEquals(new float[] {9f}, weights.readFloats("w"));
        }
    }

    @Test
    void directoryWithoutWeightsListsWhatItHolds() throws IOException {
        Files.writeString(directory.resolve("config.json"), "{}");
        Files.writeString(directory.resolve("tokenizer.json"), "{}");
        ArrakisException e = assertThrows(ArrakisException.class, () -> CheckpointFiles.open(directory));
        assertFalse(e instanceof UnsupportedCheckpointException, e.getClass().getName());
        assertTrue(e.getMessage().contains("[config.json, tokenizer.json]"), e.getMessage());
        assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
    }

    @Test
    void emptyDirectoryAndMissingDirectoryAreReported() {
        ArrakisException empty = assertThrows(ArrakisException.class, () -> CheckpointFiles.open(directory));
        assertTrue(empty.getMessage().contains("an empty directory"), empty.getMessage());
        Path missing = directory.resolve("missing");
        ArrakisException notDirectory = assertThrows(ArrakisException.class, () -> CheckpointFiles.open(missing));
        assertTrue(notDirectory.getMessage().contains(missing + " is not a directory"), notDirectory.getMessage());
    }

    @Test
    void configFileIsFoundOrClearlyMissing() throws IOException {
        ArrakisException e = assertThrows(ArrakisException.class, () -> CheckpointFiles.configFile(directory));
        assertTrue(e.getMessage().contains("No config.json in " + directory), e.getMessage());
        Path config = Files.writeString(directory.resolve("config.json"), "{}");
        assertEquals(config, CheckpointFiles.configFile(directory));
    }

    private void writeTwoShards() {
        Map<String, TensorData> first = new LinkedHashMap<>();
        first.put("wte.weight", TensorData.f32(new long[] {2}, new float[] {1f, 2f}));
        first.put("blocks.0.w", TensorData.f32(new long[] {1, 1}, new float[] {4f}));
        SafetensorsWriter.write(directory.resolve(FIRST_SHARD), first, Map.of("format", "pt"));
        SafetensorsWriter.write(directory.resolve(SECOND_SHARD),
                Map.of("unembed.W_U", TensorData.f32(new long[] {3}, new float[] {5f, 6f, 7f})), Map.of());
    }

    private void writeIndex(String weightMapEntries) throws IOException {
        Files.writeString(directory.resolve(CheckpointFiles.INDEX_FILE),
                "{\"metadata\": {\"total_size\": 24}, \"weight_map\": {" + weightMapEntries + "}}");
    }

    private void assertIndexRejected(String tensor, String detail) {
        assertIndexRejected(directory, tensor, detail);
    }

    private static void assertIndexRejected(Path checkpoint, String tensor, String detail) {
        Path index = checkpoint.resolve(CheckpointFiles.INDEX_FILE);
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> CheckpointFiles.open(checkpoint).close());
        assertEquals(index, e.file());
        assertEquals(Optional.ofNullable(tensor), e.tensor());
        assertTrue(e.getMessage().contains(index.toString()), e.getMessage());
        if (tensor != null) {
            assertTrue(e.getMessage().contains("tensor '" + tensor + "'"), e.getMessage());
        }
        assertTrue(e.getMessage().contains(detail), () -> "expected '" + detail + "' in: " + e.getMessage());
    }

    private void assertConversionAdvice(UnsupportedCheckpointException e, String pickleFile) {
        String message = e.getMessage();
        assertTrue(message.contains(pickleFile), message);
        assertTrue(message.contains("never opens pickle files"), message);
        assertTrue(message.contains("from_pretrained('" + directory.toAbsolutePath() + "')"), message);
        assertTrue(message.contains("safe_serialization=True"), message);
        assertEquals(directory, e.directory());
    }
}
