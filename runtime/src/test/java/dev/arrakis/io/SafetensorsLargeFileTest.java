package dev.arrakis.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files past 2 GB, made sparse by extending their length, so the test writes a few bytes rather than gigabytes: the
 * tensors past the 2 GB mark must read, and a single tensor of 2 GB or more must be refused by name.
 */
class SafetensorsLargeFileTest {
    private static final long HUGE_BYTES = (1L << 31) + 4;

    @TempDir
    Path directory;

    @Test
    void readsTensorsBeyondTwoGigabytesAndRefusesOneThatIsTwoGigabytes() throws IOException {
        String header = "{\"huge\":{\"dtype\":\"F32\",\"shape\":[" + HUGE_BYTES / 4 + "],\"data_offsets\":[0,"
                + HUGE_BYTES + "]},\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + HUGE_BYTES + ","
                + (HUGE_BYTES + 8) + "]}}";
        byte[] headerBytes = header.getBytes(StandardCharsets.UTF_8);
        Path path = directory.resolve("large.safetensors");
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rw")) {
            file.write(SafetensorsTestFiles.file(headerBytes.length, headerBytes, new byte[0]));
            long tailOffset = 8 + headerBytes.length + HUGE_BYTES;
            file.seek(tailOffset);
            file.write(SafetensorsTestFiles.littleEndianFloats(6.5f, -1f));
        }

        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            assertEquals(List.of("huge", "tail"), file.names());
            assertArrayEquals(new float[] {6.5f, -1f}, file.readFloats("tail"));
            assertEquals(HUGE_BYTES, file.info("huge").byteLength());
            ArrakisException e = assertThrows(ArrakisException.class, () -> file.bytes("huge"));
            assertTrue(e.getMessage().contains("'huge'") && e.getMessage().contains(path.toString()), e.getMessage());
        }
    }
}
