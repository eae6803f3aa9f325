package dev.arrakis.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * What TransformerLens computed on a tiny checkpoint, written by {@code tools/reference/tl_lens.py}: tensors by key,
 * stack labels in the metadata.
 */
public record TlReference(String caseName, Path checkpoint, SafetensorsFile file) implements AutoCloseable {
    /** The two checkpoints the script covers: a LayerNorm family with learned positions, an RMSNorm one with rotary. */
    public static final List<String> CASES = List.of("gpt2-tiny", "llama-gqa");

    public static TlReference of(String caseName) {
        Path checkpoint = caseName.equals("gpt2-tiny") ? Path.of("../models/gpt2-tiny")
                : Path.of("src/test/resources/reference", caseName);
        return new TlReference(caseName, checkpoint.toAbsolutePath().normalize(), SafetensorsFile.open(
                Path.of("src/test/resources/reference/tools/lens", caseName + ".safetensors")));
    }

    public float[] floats(String key) {
        return file.readFloats(key);
    }

    public long[] shape(String key) {
        return file.info(key).shape();
    }

    public long[][] rows(String key) {
        return dev.arrakis.ReferenceCase.rows(file, key);
    }

    public List<String> labels(String key) {
        try {
            Map<String, List<String>> byKey =
                    new ObjectMapper().readValue(file.metadata().get("labels"), new TypeReference<>() {});
            return java.util.Objects.requireNonNull(byKey.get(key), key);
        } catch (Exception e) {
            throw new IllegalStateException("no labels for " + key + " in " + file.path(), e);
        }
    }

    public void assertLabels(String key, List<String> actual) {
        assertEquals(labels(key), actual, caseName + " " + key + ": labels");
    }

    @Override
    public void close() {
        file.close();
    }
}
