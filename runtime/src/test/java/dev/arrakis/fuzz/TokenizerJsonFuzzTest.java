package dev.arrakis.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.model.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as a checkpoint's {@code tokenizer.json}, handed to HF's tokenizers library through DJL's JNI binding, then
 * used as a model uses it. The native side cannot be instrumented, so this target mostly proves the hand-off: a panic
 * in Rust that aborted the JVM would end the fuzzing run as a crash.
 */
class TokenizerJsonFuzzTest {
    @TempDir
    Path directory;

    @FuzzTest(maxDuration = "30s")
    void anyTokenizerJsonLoadsAndTokenizesOrIsRefused(byte[] bytes) throws IOException {
        Path file = Files.write(directory.resolve("tokenizer.json"), bytes);
        UntrustedInput.refusalOf(() -> {
            try (Tokenizer tokenizer = Tokenizer.load(file)) {
                long[] ids = tokenizer.encode("Hello, world! ünïcode 日本");
                tokenizer.decode(ids);
                tokenizer.toStrTokens(ids);
                tokenizer.encode("", Tokenizer.Bos.NONE);
                tokenizer.encode("a b", Tokenizer.Bos.PREPEND);
            }
        });
    }
}
