package dev.arrakis.io;

import static dev.arrakis.io.SafetensorsTestFiles.file;
import static dev.arrakis.io.SafetensorsTestFiles.littleEndianShorts;
import static dev.arrakis.io.SafetensorsTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsDecodingTest {
    @TempDir
    Path directory;

    @Test
    void halfFloatsDecodeToHandDerivedValues() {
        assertEquals(1.0f, HalfFloats.f16ToFloat((short) 0x3C00));
        assertEquals(-2.0f, HalfFloats.f16ToFloat((short) 0xC000));
        assertEquals(65504.0f, HalfFloats.f16ToFloat((short) 0x7BFF));
        assertEquals(0x1p-24f, HalfFloats.f16ToFloat((short) 0x0001));
        assertEquals(1023 * 0x1p-24f, HalfFloats.f16ToFloat((short) 0x03FF), "largest subnormal");
        assertEquals(0x1p-14f, HalfFloats.f16ToFloat((short) 0x0400), "smallest normal");
        assertEquals(0.333251953125f, HalfFloats.f16ToFloat((short) 0x3555));
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat((short) 0x7C00));
        assertEquals(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat((short) 0xFC00));
        assertEquals(Float.NaN, HalfFloats.f16ToFloat((short) 0x7E00), "any NaN");
        assertEquals(Float.NaN, HalfFloats.f16ToFloat((short) 0xFC01), "any NaN");
        assertEquals(Float.floatToIntBits(-0.0f), Float.floatToIntBits(HalfFloats.f16ToFloat((short) 0x8000)));
    }

    @Test
    void everyFiniteHalfFloatMatchesItsDefinition() {
        for (int bits = 0; bits <= 0xFFFF; bits++) {
            int exponent = (bits >>> 10) & 0x1F;
            if (exponent == 0x1F) {
                continue;
            }
            int mantissa = bits & 0x3FF;
            double magnitude = exponent == 0
                    ? Math.scalb((double) mantissa, -24)
                    : Math.scalb((double) (1024 + mantissa), exponent - 25);
            double expected = (bits & 0x8000) == 0 ? magnitude : -magnitude;
            String hex = Integer.toHexString(bits);
            assertEquals(expected, HalfFloats.f16ToFloat((short) bits), 0.0, hex);
        }
    }

    @Test
    void bfloat16sDecodeToHandDerivedValues() {
        assertEquals(1.0f, HalfFloats.bf16ToFloat((short) 0x3F80));
        assertEquals(-2.0f, HalfFloats.bf16ToFloat((short) 0xC000));
        assertEquals(3.140625f, HalfFloats.bf16ToFloat((short) 0x4049));
        assertEquals(0x1p-133f, HalfFloats.bf16ToFloat((short) 0x0001), "smallest subnormal");
        assertEquals(Float.POSITIVE_INFINITY, HalfFloats.bf16ToFloat((short) 0x7F80));
        assertEquals(Float.NaN, HalfFloats.bf16ToFloat((short) 0x7FC0), "any NaN");
    }

    @Test
    void readsHandBuiltF16AndBf16Tensors() {
        byte[] f16 = littleEndianShorts(0x3C00, 0xC000, 0x7BFF, 0x0001, 0x7C00);
        byte[] bf16 = littleEndianShorts(0x3F80, 0xC000, 0x4049);
        Path path = write(directory.resolve("half.safetensors"), file(
                "{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
                        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[10,16]}}",
                concat(f16, bf16)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, file.readFloats("h"));
            assertArrayEquals(new float[] {1f, -2f, 3.140625f}, file.readFloats("b"));
        }
    }

    @Test
    void widensEveryOtherDtypeToFloatsAndIntegersToLongs() {
        ByteBuffer data = ByteBuffer.allocate(62).order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(-0.5).putDouble(1e300)
                .putInt(-7).putInt(Integer.MAX_VALUE)
                .putShort((short) -3)
                .putShort((short) 0xFFFF)
                .put((byte) -128)
                .put((byte) 0xFF)
                .putInt(0xFFFF_FFFF)
                .put((byte) 0).put((byte) 1).put((byte) 2).put((byte) 0)
                .putLong(-1L)
                .putLong(Long.MIN_VALUE).putLong(42);
        Path path = write(directory.resolve("all.safetensors"), file("{"
                + entry("f64", "F64", 2, 0, 16) + ","
                + entry("i32", "I32", 2, 16, 24) + ","
                + entry("i16", "I16", 1, 24, 26) + ","
                + entry("u16", "U16", 1, 26, 28) + ","
                + entry("i8", "I8", 1, 28, 29) + ","
                + entry("u8", "U8", 1, 29, 30) + ","
                + entry("u32", "U32", 1, 30, 34) + ","
                + entry("bool", "BOOL", 4, 34, 38) + ","
                + entry("u64", "U64", 1, 38, 46) + ","
                + entry("i64", "I64", 2, 46, 62) + "}", data.array()));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertArrayEquals(new float[] {-0.5f, Float.POSITIVE_INFINITY}, file.readFloats("f64"));
            assertArrayEquals(new float[] {-7f, 2147483647f}, file.readFloats("i32"));
            assertArrayEquals(new long[] {-7, Integer.MAX_VALUE}, file.readLongs("i32"));
            assertArrayEquals(new long[] {-3}, file.readLongs("i16"));
            assertArrayEquals(new long[] {0xFFFF}, file.readLongs("u16"));
            assertArrayEquals(new long[] {-128}, file.readLongs("i8"));
            assertArrayEquals(new float[] {255f}, file.readFloats("u8"));
            assertArrayEquals(new long[] {0xFFFF_FFFFL}, file.readLongs("u32"));
            assertArrayEquals(new float[] {0f, 1f, 1f, 0f}, file.readFloats("bool"));
            assertArrayEquals(new long[] {0, 1, 1, 0}, file.readLongs("bool"));
            assertArrayEquals(new float[] {0x1p64f}, file.readFloats("u64"));
            assertArrayEquals(new long[] {Long.MIN_VALUE, 42}, file.readLongs("i64"));
            assertArrayEquals(new float[] {-0x1p63f, 42f}, file.readFloats("i64"));

            ArrakisException u64 = assertThrows(ArrakisException.class, () -> file.readLongs("u64"));
            assertTrue(u64.getMessage().contains("18446744073709551615"), u64.getMessage());
            ArrakisException floats = assertThrows(ArrakisException.class, () -> file.readLongs("f64"));
            assertTrue(floats.getMessage().contains("'f64'") && floats.getMessage().contains("F64"),
                    floats.getMessage());
        }
    }

    /** Bytes written by Python's safetensors 0.8.0 {@code safetensors.numpy.save}, which orders tensors its own way. */
    @Test
    void readsAFileWrittenByPythonSafetensors() {
        String written = "SAEAAAAAAAB7Il9fbWV0YWRhdGFfXyI6eyJmb3JtYXQiOiJucCJ9LCJjLmk2NCI6eyJkdHlwZSI6Ikk2NCIsInNoYXBl"
                + "IjpbM10sImRhdGFfb2Zmc2V0cyI6WzAsMjRdfSwiYi5mMzIiOnsiZHR5cGUiOiJGMzIiLCJzaGFwZSI6WzIsM10sImRhdGFfb2Z"
                + "mc2V0cyI6WzI0LDQ4XX0sImEuZjE2Ijp7ImR0eXBlIjoiRjE2Iiwic2hhcGUiOls0XSwiZGF0YV9vZmZzZXRzIjpbNDgsNTZdfS"
                + "wiZS51OCI6eyJkdHlwZSI6IlU4Iiwic2hhcGUiOlsyXSwiZGF0YV9vZmZzZXRzIjpbNTYsNThdfSwiZC5ib29sIjp7ImR0eXBlI"
                + "joiQk9PTCIsInNoYXBlIjpbM10sImRhdGFfb2Zmc2V0cyI6WzU4LDYxXX19//////////8AAAAAAAEAAAcAAAAAAAAAAADAPwAA"
                + "AMAAAIA+AABAQG8SgzoAAACAADwAwP97AQAA/wEAAQ==";
        Path path = write(directory.resolve("python.safetensors"), Base64.getDecoder().decode(written));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(List.of("c.i64", "b.f32", "a.f16", "e.u8", "d.bool"), file.names());
            assertEquals(Map.of("format", "np"), file.metadata());
            assertEquals(new TensorInfo("b.f32", SafetensorsDType.F32, new long[] {2, 3}), file.info("b.f32"));
            assertArrayEquals(new float[] {1.5f, -2f, 0.25f, 3f, 1e-3f, -0f}, file.readFloats("b.f32"));
            assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f}, file.readFloats("a.f16"));
            assertArrayEquals(new long[] {-1, 1L << 40, 7}, file.readLongs("c.i64"));
            assertArrayEquals(new long[] {0, 255}, file.readLongs("e.u8"));
            assertArrayEquals(new float[] {1f, 0f, 1f}, file.readFloats("d.bool"));
        }
    }

    private static String entry(String name, String dtype, long length, long begin, long end) {
        return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":[" + length + "],\"data_offsets\":[" + begin
                + "," + end + "]}";
    }

    private static byte[] concat(byte[] first, byte[] second) {
        return ByteBuffer.allocate(first.length + second.length).put(first).put(second).array();
    }
}
