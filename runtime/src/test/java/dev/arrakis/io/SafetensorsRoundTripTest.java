package dev.arrakis.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsRoundTripTest {
    private static final float[] WEIGHTS = {1.5f, -2f, 0.25f, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN};
    private static final long[] TOKEN_IDS = {0, -1, Long.MAX_VALUE, Long.MIN_VALUE};

    @TempDir
    Path directory;

    @Test
    void roundTripsF32AndI64WithMetadata() {
        Path path = directory.resolve("model.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("wte.weight", TensorData.f32(new long[] {2, 3}, WEIGHTS));
        tensors.put("position_ids", TensorData.i64(new long[] {1, 4}, TOKEN_IDS));
        tensors.put("scale", TensorData.f32(new long[0], new float[] {0.125f}));
        tensors.put("empty", TensorData.f32(new long[] {0, 5}, new float[0]));
        SafetensorsWriter.write(path, tensors, Map.of("format", "pt", "note", "ünïcödé"));

        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(path, file.path());
            assertEquals(List.of("wte.weight", "position_ids", "scale", "empty"), file.names());
            assertEquals(Map.of("format", "pt", "note", "ünïcödé"), file.metadata());
            assertEquals(new TensorInfo("wte.weight", SafetensorsDType.F32, new long[] {2, 3}),
                    file.info("wte.weight"));
            assertArrayEquals(WEIGHTS, file.readFloats("wte.weight"));
            assertArrayEquals(TOKEN_IDS, file.readLongs("position_ids"));
            assertArrayEquals(new float[] {0.125f}, file.readFloats("scale"));
            assertEquals(1, file.info("scale").elementCount());
            assertEquals(0, file.readFloats("empty").length);
            assertTrue(file.contains("scale"), "names " + file.names());
            assertFalse(file.contains("Scale"), "names are case-sensitive: " + file.names());
        }
    }

    @Test
    void bytesAreAReadOnlyLittleEndianViewOfExactlyOneTensor() {
        Path path = directory.resolve("model.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("first", TensorData.f32(new long[] {2}, new float[] {1f, 2f}));
        tensors.put("second", TensorData.f32(new long[] {3}, new float[] {3f, 4f, 5f}));
        SafetensorsWriter.write(path, tensors, Map.of());

        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            ByteBuffer second = file.bytes("second");
            assertTrue(second.isReadOnly(), second.toString());
            assertEquals(ByteOrder.LITTLE_ENDIAN, second.order());
            assertEquals(0, second.position());
            assertEquals(12, second.remaining());
            assertEquals(3f, second.getFloat(0));
            assertEquals(5f, second.getFloat(8));
            assertEquals(Map.of(), file.metadata());
        }
    }

    @Test
    void writerPadsTheHeaderToEightBytesAndPacksTensorsContiguously() throws IOException {
        Path path = directory.resolve("model.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("b", TensorData.f32(new long[] {2, 3}, new float[6]));
        tensors.put("a", TensorData.i64(new long[] {2}, new long[] {7, 8}));
        tensors.put("c", new TensorData(SafetensorsDType.U8, new long[] {3}, ByteBuffer.wrap(new byte[] {1, 2, 3})));
        SafetensorsWriter.write(path, tensors, Map.of("format", "pt"));

        ByteBuffer bytes = ByteBuffer.wrap(Files.readAllBytes(path)).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = bytes.getLong(0);
        assertEquals(0, headerLength % 8, "header length " + headerLength);
        assertEquals(8 + headerLength + 24 + 16 + 3, bytes.capacity());
        String header = new String(bytes.array(), 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{"), header);
        String json = header.stripTrailing();
        assertTrue(json.endsWith("}"), header);
        assertTrue(header.substring(json.length()).chars().allMatch(c -> c == ' '),
                "padding is spaces only: '" + header.substring(json.length()) + "'");

        JsonNode root = new ObjectMapper().readTree(json);
        assertEquals(List.of("__metadata__", "b", "a", "c"), fieldNames(root));
        assertEquals("pt", root.get("__metadata__").get("format").textValue());
        assertEquals("{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}", root.get("b").toString());
        assertEquals("{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[24,40]}", root.get("a").toString());
        assertEquals("{\"dtype\":\"U8\",\"shape\":[3],\"data_offsets\":[40,43]}", root.get("c").toString());
        assertEquals(7L, bytes.getLong((int) (8 + headerLength + 24)));
        assertEquals(3, bytes.get(bytes.capacity() - 1));
    }

    @Test
    void writerOmitsEmptyMetadataAndWritesAnEmptyCheckpoint() throws IOException {
        Path path = directory.resolve("nothing.safetensors");
        SafetensorsWriter.write(path, Map.of(), Map.of());
        byte[] bytes = Files.readAllBytes(path);
        assertEquals(16, bytes.length);
        assertEquals("{}      ", new String(bytes, 8, 8, StandardCharsets.UTF_8));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(List.of(), List.copyOf(file.names()));
        }
    }

    @Test
    void writerReplacesAnExistingFileAndLeavesNoTemporaryFiles() throws IOException {
        Path path = directory.resolve("model.safetensors");
        SafetensorsWriter.write(path, Map.of("x", TensorData.f32(new long[] {1}, new float[] {1f})), Map.of());
        SafetensorsWriter.write(path, Map.of("y", TensorData.f32(new long[] {1}, new float[] {2f})), Map.of());
        try (SafetensorsFile file = SafetensorsFile.open(path);
                Stream<Path> entries = Files.list(directory)) {
            assertEquals(List.of("y"), file.names());
            assertEquals(List.of(path), entries.toList());
        }
    }

    @Test
    void writerFailureNamesTheFile() {
        Path path = directory.resolve("missing-directory").resolve("model.safetensors");
        ArrakisException e = assertThrows(ArrakisException.class,
                () -> SafetensorsWriter.write(path, Map.of(), Map.of()));
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    }

    @Test
    void writerRefusesTheReservedMetadataName() {
        Path path = directory.resolve("model.safetensors");
        Map<String, TensorData> tensors = Map.of("__metadata__", TensorData.f32(new long[] {1}, new float[1]));
        assertThrows(ArrakisException.class, () -> SafetensorsWriter.write(path, tensors, Map.of()));
        assertFalse(Files.exists(path), "nothing left at " + path);
    }

    @Test
    void tensorDataRejectsValuesThatDoNotFillTheShape() {
        ArrakisException floats = assertThrows(ArrakisException.class,
                () -> TensorData.f32(new long[] {2, 2}, new float[3]));
        assertTrue(floats.getMessage().contains("4 elements, but 3 values"), floats.getMessage());
        assertThrows(ArrakisException.class, () -> TensorData.i64(new long[] {-1}, new long[0]));
        ArrakisException bytes = assertThrows(ArrakisException.class,
                () -> new TensorData(SafetensorsDType.F16, new long[] {3}, ByteBuffer.allocate(4)));
        assertTrue(bytes.getMessage().contains("4 bytes, but shape [3] of F16 needs 6"), bytes.getMessage());
    }

    @Test
    void tensorDataIsUnaffectedByLaterChangesToTheCallersBufferPositionOrShape() {
        long[] shape = {2};
        ByteBuffer buffer = ByteBuffer.allocate(8);
        TensorData data = new TensorData(SafetensorsDType.F32, shape, buffer);
        buffer.position(8);
        shape[0] = 99;
        assertEquals(8, data.data().remaining());
        assertArrayEquals(new long[] {2}, data.shape());
        assertEquals(TensorData.f32(new long[] {2}, new float[2]), data);
    }

    @Test
    void tensorInfoComparesShapesByContentAndCopiesThem() {
        long[] shape = {2, 3};
        TensorInfo info = new TensorInfo("w", SafetensorsDType.BF16, shape);
        shape[0] = 7;
        info.shape()[1] = 9;
        TensorInfo same = new TensorInfo("w", SafetensorsDType.BF16, new long[] {2, 3});
        assertEquals(same, info);
        assertEquals(same.hashCode(), info.hashCode());
        assertNotEquals(new TensorInfo("w", SafetensorsDType.BF16, new long[] {3, 2}), info);
        assertEquals("TensorInfo[name=w, dtype=BF16, shape=[2, 3]]", info.toString());
        assertEquals(6, info.elementCount());
        assertEquals(12, info.byteLength());
    }

    @Test
    void dtypesParseFromTheirHeaderNamesOnly() {
        assertEquals(SafetensorsDType.BF16, SafetensorsDType.parse("BF16"));
        assertEquals(1, SafetensorsDType.parse("BOOL").byteSize());
        assertEquals(8, SafetensorsDType.parse("U64").byteSize());
        ArrakisException e = assertThrows(ArrakisException.class, () -> SafetensorsDType.parse("F8_X"));
        assertTrue(e.getMessage().contains("'F8_X'"), e.getMessage());
    }

    @Test
    void unknownNameSuggestsTheClosestTensors() {
        Path path = directory.resolve("model.safetensors");
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        for (String name : List.of("blocks.0.attn.W_Q", "blocks.0.attn.W_K", "blocks.1.attn.W_Q", "unembed.W_U")) {
            tensors.put(name, TensorData.f32(new long[] {1}, new float[1]));
        }
        SafetensorsWriter.write(path, tensors, Map.of());
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            UnknownTensorException e = assertThrows(UnknownTensorException.class,
                    () -> file.readFloats("blocks.0.attn.W_q"));
            assertEquals("blocks.0.attn.W_q", e.tensor());
            assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
            assertTrue(e.getMessage().contains("did you mean 'blocks.0.attn.W_K', 'blocks.0.attn.W_Q', "
                    + "'blocks.1.attn.W_Q'?"), e.getMessage());
            UnknownTensorException distant = assertThrows(UnknownTensorException.class, () -> file.info("lm_head"));
            assertTrue(distant.getMessage().contains("did you mean 'unembed.W_U', "), distant.getMessage());
        }
        Path empty = directory.resolve("empty.safetensors");
        SafetensorsWriter.write(empty, Map.of(), Map.of());
        try (SafetensorsFile file = SafetensorsFile.open(empty)) {
            UnknownTensorException e = assertThrows(UnknownTensorException.class, () -> file.bytes("w"));
            assertTrue(e.getMessage().endsWith("it holds no tensors at all"), e.getMessage());
        }
    }

    @Test
    void buffersOutliveTheFileButNewReadsFailOnceClosed() {
        Path path = directory.resolve("model.safetensors");
        SafetensorsWriter.write(path, Map.of("x", TensorData.f32(new long[] {1}, new float[] {4f})), Map.of());
        SafetensorsFile file = SafetensorsFile.open(path);
        ByteBuffer mapped = file.bytes("x");
        file.close();
        assertEquals(4f, mapped.getFloat(0));
        assertThrows(IllegalStateException.class, () -> file.bytes("x"));
    }

    private static List<String> fieldNames(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }
}
