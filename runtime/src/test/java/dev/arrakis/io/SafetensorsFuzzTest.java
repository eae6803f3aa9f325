package dev.arrakis.io;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupted files must fail with SafetensorsFormatException, never with any other exception, a hang or a crash. */
class SafetensorsFuzzTest {
    private static final int ITERATIONS = 500;
    /** Bytes that change a JSON header's structure rather than only the text of a string. */
    private static final byte[] JSON_BYTES = "{}[]\":,-0123456789 eE.".getBytes(StandardCharsets.US_ASCII);

    @TempDir
    Path directory;

    @Test
    void corruptedFilesEitherOpenOrFailWithAFormatError() throws IOException {
        byte[] valid = validFile();
        int headerEnd = 8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Random random = new Random(20240611L);
        int opened = 0;
        int rejected = 0;
        for (int iteration = 0; iteration < ITERATIONS; iteration++) {
            byte[] corrupted = iteration % 3 == 0
                    ? Arrays.copyOf(valid, random.nextInt(valid.length))
                    : mutate(valid, headerEnd, random);
            Path path = Files.write(directory.resolve("fuzz.safetensors"), corrupted);
            try {
                readEverything(path);
                opened++;
            } catch (SafetensorsFormatException expected) {
                rejected++;
            } catch (RuntimeException | Error unexpected) {
                fail("iteration " + iteration + " threw " + unexpected + " for bytes "
                        + HexFormat.of().formatHex(corrupted), unexpected);
            }
        }
        assertTrue(opened > 0 && rejected > 0, "opened " + opened + ", rejected " + rejected);
    }

    /** Mostly hits the length prefix and the header, where the parsing is; sometimes the data. */
    private static byte[] mutate(byte[] valid, int headerEnd, Random random) {
        byte[] corrupted = valid.clone();
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            int position = random.nextInt(10) < 9 ? random.nextInt(headerEnd) : random.nextInt(corrupted.length);
            corrupted[position] = random.nextBoolean()
                    ? (byte) random.nextInt(256)
                    : JSON_BYTES[random.nextInt(JSON_BYTES.length)];
        }
        return corrupted;
    }

    private static void readEverything(Path path) {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            file.metadata();
            for (String name : file.names()) {
                TensorInfo info = file.info(name);
                file.bytes(name);
                file.readFloats(name);
                if (!info.dtype().isFloatingPoint() && info.dtype() != SafetensorsDType.U64) {
                    file.readLongs(name);
                }
            }
        }
    }

    private byte[] validFile() throws IOException {
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("w", TensorData.f32(new long[] {2, 2}, new float[] {1f, -2f, 3.5f, 0f}));
        tensors.put("ids", TensorData.i64(new long[] {3}, new long[] {5, 6, 7}));
        tensors.put("h", new TensorData(SafetensorsDType.F16, new long[] {2},
                ByteBuffer.wrap(SafetensorsTestFiles.littleEndianShorts(0x3C00, 0x7C00))));
        tensors.put("mask", new TensorData(SafetensorsDType.BOOL, new long[] {2}, ByteBuffer.wrap(new byte[] {1, 0})));
        Path path = directory.resolve("valid.safetensors");
        SafetensorsWriter.write(path, tensors, Map.of("format", "pt"));
        return Files.readAllBytes(path);
    }
}
