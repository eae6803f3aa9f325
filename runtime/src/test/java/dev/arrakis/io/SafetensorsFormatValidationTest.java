package dev.arrakis.io;

import static dev.arrakis.io.SafetensorsTestFiles.file;
import static dev.arrakis.io.SafetensorsTestFiles.littleEndianFloats;
import static dev.arrakis.io.SafetensorsTestFiles.write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.arrakis.ArrakisException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every malformed file must end in SafetensorsFormatException naming the file and, where one is at fault, the
 * tensor.
 */
class SafetensorsFormatValidationTest {
    private static final String VALID_ENTRY = "\"ok\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}";

    @TempDir
    Path directory;

    static Stream<Arguments> malformedHeaders() {
        return Stream.of(
                arguments("bad JSON", "{\"w\": {\"dtype\": ", 8, null, "not valid JSON"),
                arguments("JSON array instead of object", "[1, 2]", 8, null, "must be a JSON object"),
                arguments("empty header", "", 8, null, "must be a JSON object"),
                arguments("text after the JSON object", "{" + VALID_ENTRY + "} {}", 8, null, "not valid JSON"),
                arguments("duplicate tensor name", "{" + VALID_ENTRY + "," + VALID_ENTRY + "}", 8, null,
                        "not valid JSON"),
                arguments("entry not an object", "{\"w\": [1, 2]}", 8, "w", "must be a JSON object"),
                arguments("missing dtype", "{\"w\":{\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "w",
                        "\"dtype\" must be a string, but is missing"),
                arguments("dtype not a string", "{\"w\":{\"dtype\":4,\"shape\":[2],\"data_offsets\":[0,8]}}", 8, "w",
                        "\"dtype\" must be a string"),
                arguments("unknown dtype", "{\"w\":{\"dtype\":\"F8_X\",\"shape\":[2],\"data_offsets\":[0,2]}}", 8, "w",
                        "F8_X"),
                arguments("lower-case dtype", "{\"w\":{\"dtype\":\"f32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 8,
                        "w", "f32"),
                arguments("missing shape", "{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,8]}}", 8, "w",
                        "\"shape\" must be an array"),
                arguments("shape not an array", "{\"w\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,8]}}",
                        8, "w", "\"shape\" must be an array"),
                arguments("fractional dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,8]}}",
                        8, "w", "1.5"),
                arguments("negative dimension", "{\"w\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                        8, "w", "-2"),
                arguments("dimension beyond a long",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999],\"data_offsets\":[0,8]}}", 8, "w",
                        "99999999999999999999"),
                arguments("element count overflowing a long",
                        "{\"w\":{\"dtype\":\"U8\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, "w",
                        "more elements than a long"),
                arguments("byte count overflowing a long",
                        "{\"w\":{\"dtype\":\"F64\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}", 8, "w",
                        "more bytes than a long"),
                arguments("missing data_offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2]}}", 8, "w",
                        "\"data_offsets\" must be an array"),
                arguments("one data offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8]}}", 8, "w",
                        "two integers"),
                arguments("three data offsets", "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}",
                        8, "w", "two integers"),
                arguments("negative data offset", "{\"w\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[-8,-8]}}",
                        8, "w", "-8"),
                arguments("data offsets begin after end",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}", 8, "w", "begin after"),
                arguments("data offsets beyond the data region",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "w",
                        "past the end of the 8-byte data region"),
                arguments("shape and byte range disagree",
                        "{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "w",
                        "span 8 bytes, but shape [3] of F32 needs 12"),
                arguments("overlapping byte ranges", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                        + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "b",
                        "overlap those of tensor 'a'"),
                arguments("one range inside another",
                        "{\"a\":{\"dtype\":\"U8\",\"shape\":[12],\"data_offsets\":[0,12]},"
                        + "\"b\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[4,6]}}", 12, "b", "overlap"),
                arguments("metadata not an object", "{\"__metadata__\":[\"a\"]," + VALID_ENTRY + "}", 8, null,
                        "__metadata__ must be a JSON object"),
                arguments("metadata value not a string", "{\"__metadata__\":{\"step\":3}," + VALID_ENTRY + "}", 8,
                        null, "'step' must be a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedHeaders")
    void rejectsMalformedHeader(String description, String headerJson, int dataBytes, String tensor, String detail) {
        Path path = write(directory.resolve("model.safetensors"), file(headerJson, new byte[dataBytes]));
        assertRejected(path, tensor, detail);
    }

    @Test
    void rejectsAFileShorterThanTheLengthPrefix() {
        Path path = write(directory.resolve("short.safetensors"), new byte[] {1, 0, 0, 0, 0});
        assertRejected(path, null, "the file is 5 bytes");
    }

    @Test
    void rejectsAnEmptyFile() {
        Path path = write(directory.resolve("empty.safetensors"), new byte[0]);
        assertRejected(path, null, "the file is 0 bytes");
    }

    @Test
    void rejectsAHeaderLengthBeyondTheFile() {
        Path path = write(directory.resolve("long.safetensors"), file(1000, "{}".getBytes(StandardCharsets.UTF_8),
                new byte[0]));
        assertRejected(path, null, "the header length 1000 runs past the end of the 10-byte file");
    }

    @Test
    void rejectsAHugeHeaderLengthWithoutAllocatingIt() {
        Path path = write(directory.resolve("huge.safetensors"), file(1L << 62, new byte[] {'{', '}'}, new byte[0]));
        assertRejected(path, null, "the header length 4611686018427387904 exceeds the limit");
    }

    @Test
    void rejectsAHeaderLengthAboveTwoToTheSixtyThreeAsUnsigned() {
        Path path = write(directory.resolve("negative.safetensors"), file(-1L, new byte[] {'{', '}'}, new byte[0]));
        assertRejected(path, null, "the header length 18446744073709551615 exceeds the limit");
    }

    @Test
    void rejectsAHeaderLengthJustAboveTheCapWithoutAllocatingIt() {
        long justAboveCap = SafetensorsHeaderReader.MAX_HEADER_BYTES + 1;
        Path path = write(directory.resolve("cap.safetensors"), file(justAboveCap, new byte[] {'{', '}'}, new byte[0]));
        assertRejected(path, null, "exceeds the limit");
    }

    @Test
    void rejectsAHeaderThatIsNotUtf8() {
        byte[] header = "{\"w\u00C3(\":{}}".getBytes(StandardCharsets.ISO_8859_1);
        Path path = write(directory.resolve("latin1.safetensors"), file(header.length, header, new byte[0]));
        assertRejected(path, null, "not valid UTF-8");
    }

    @Test
    void rejectsDeeplyNestedJsonWithoutOverflowingTheStack() {
        String nested = "{\"w\":" + "[".repeat(200_000) + "]".repeat(200_000) + "}";
        Path path = write(directory.resolve("nested.safetensors"), file(nested, new byte[0]));
        assertRejected(path, null, "not valid JSON");
    }

    @Test
    void reportsAMissingFileAsUnreadableRatherThanMalformed() {
        Path path = directory.resolve("absent.safetensors");
        ArrakisException e = assertThrows(ArrakisException.class, () -> SafetensorsFile.open(path));
        assertFalse(e instanceof SafetensorsFormatException, e.getClass().getName());
        assertTrue(e.getMessage().contains(path.toString()), e.getMessage());
    }

    @Test
    void rejectsATruncatedFile() {
        byte[] complete = file("{\"w\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",
                littleEndianFloats(1, 2, 3, 4));
        Path path = write(directory.resolve("truncated.safetensors"), Arrays.copyOf(complete, complete.length - 3));
        assertRejected(path, "w", "run past the end of the 13-byte data region");
    }

    @Test
    void acceptsAHeaderPaddedWithTrailingSpaces() {
        Path path = write(directory.resolve("padded.safetensors"),
                file("{" + VALID_ENTRY + "}       ", littleEndianFloats(0.5f, -1f)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(List.of("ok"), file.names());
            assertArrayEquals(new float[] {0.5f, -1f}, file.readFloats("ok"));
        }
    }

    @Test
    void acceptsEmptyTensorsSharingAnOffsetWithOthers() {
        Path path = write(directory.resolve("empty-tensors.safetensors"), file("{" + VALID_ENTRY + ","
                + "\"none\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[4,4]}}", littleEndianFloats(1, 2)));
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(0, file.readFloats("none").length);
            assertEquals(0, file.bytes("none").remaining());
        }
    }

    private static void assertRejected(Path path, String tensor, String detail) {
        SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class,
                () -> SafetensorsFile.open(path).close());
        String message = e.getMessage();
        assertEquals(path, e.file());
        assertTrue(message.contains(path.toString()), message);
        assertEquals(Optional.ofNullable(tensor), e.tensor());
        if (tensor != null) {
            assertTrue(message.contains("tensor '" + tensor + "'"), message);
        }
        assertTrue(message.contains(detail), () -> "expected '" + detail + "' in: " + message);
    }
}
