package dev.arrakis.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Hand-built safetensors bytes, so that tests control every byte a reader sees. */
final class SafetensorsTestFiles {
    private SafetensorsTestFiles() {
    }

    /** A file whose length prefix is the true length of {@code headerJson}. */
    static byte[] file(String headerJson, byte[] data) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        return file(header.length, header, data);
    }

    /** A file whose length prefix says {@code declaredHeaderLength}, whatever follows. */
    static byte[] file(long declaredHeaderLength, byte[] header, byte[] data) {
        return ByteBuffer.allocate(Long.BYTES + header.length + data.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(declaredHeaderLength)
                .put(header)
                .put(data)
                .array();
    }

    static byte[] littleEndianFloats(float... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        buffer.asFloatBuffer().put(values);
        return buffer.array();
    }

    /** Each short as two little-endian bytes, for hand-encoded F16, BF16, I16 and U16 values. */
    static byte[] littleEndianShorts(int... values) {
        ByteBuffer buffer = ByteBuffer.allocate(values.length * Short.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        for (int value : values) {
            buffer.putShort((short) value);
        }
        return buffer.array();
    }

    static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
