package dev.arrakis.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.io.SafetensorsDType;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.io.TensorInfo;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as a {@code .safetensors} file: the length prefix, the JSON header, dtypes, shapes and data offsets, and
 * then every tensor read back. Sizes must be checked against the file before anything is allocated, so a header that
 * claims 2^40 elements is refused rather than exhausting memory.
 */
class SafetensorsFileFuzzTest {
    @TempDir
    Path directory;

    @FuzzTest(maxDuration = "30s")
    void anyBytesOpenAndReadOrAreRefused(byte[] bytes) throws IOException {
        Path file = Files.write(directory.resolve("model.safetensors"), bytes);
        UntrustedInput.refusalOf(() -> readEverything(file));
    }

    private static void readEverything(Path path) {
        try (SafetensorsFile file = SafetensorsFile.open(path)) {
            file.metadata();
            for (String name : file.names()) {
                TensorInfo info = file.info(name);
                file.bytes(name);
                file.readFloats(name);
                file.readDoubles(name);
                if (!info.dtype().isFloatingPoint()) {
                    file.readLongs(name);
                }
                if (info.dtype() == SafetensorsDType.F64) {
                    file.readDoubles(name);
                }
            }
        }
    }
}
