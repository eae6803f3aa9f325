package dev.arrakis.tools.gradients;

import dev.arrakis.ReferenceCase;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.List;

/** What TransformerLens's backward hooks received on a tiny checkpoint, written by {@code tools/reference/tl_gradients.py}. */
public record TlGradients(String caseName, Path checkpoint, SafetensorsFile file) implements AutoCloseable {
    public static final List<String> CASES = List.of("gpt2-tiny", "llama-gqa");

    public static TlGradients of(String caseName) {
        Path checkpoint = caseName.equals("gpt2-tiny") ? Path.of("../models/gpt2-tiny")
                : Path.of("src/test/resources/reference", caseName);
        return new TlGradients(caseName, checkpoint.toAbsolutePath().normalize(), SafetensorsFile.open(
                Path.of("src/test/resources/reference/tools/gradients", caseName + ".safetensors")));
    }

    public TokenBatch clean() {
        return TokenBatch.of(ReferenceCase.rows(file, "clean"));
    }

    public TokenBatch corrupted() {
        return TokenBatch.of(ReferenceCase.rows(file, "corrupted"));
    }

    /** The metric the script differentiated: the logit difference of its correct and incorrect tokens. */
    public LogitMetric metric() {
        return LogitMetric.logitDifference(file.readLongs("correct"), file.readLongs("incorrect"));
    }

    public float[] floats(String key) {
        return file.readFloats(key);
    }

    public float scalar(String key) {
        return file.readFloats(key)[0];
    }

    @Override
    public void close() {
        file.close();
    }
}
