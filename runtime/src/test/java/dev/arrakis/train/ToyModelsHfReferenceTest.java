package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every committed toy model is an HF checkpoint: HF's {@code from_pretrained} loads it and its logits on fixed rows
 * ({@code tools/reference/hf_toy_models.py}) are the ones Arrakis computes.
 */
class ToyModelsHfReferenceTest {
    private static final Path REFERENCES = Path.of("src/test/resources/reference/toy-models");

    static List<Path> references() throws IOException {
        try (Stream<Path> files = Files.list(REFERENCES)) {
            List<Path> found = files.filter(file -> file.toString().endsWith(".safetensors")).sorted().toList();
            assertFalse(found.isEmpty(), "no references in " + REFERENCES.toAbsolutePath());
            return found;
        }
    }

    @ParameterizedTest
    @MethodSource("references")
    void logitsEqualHfTransformers(Path reference) {
        String name = reference.getFileName().toString().replace(".safetensors", "");
        Path model = Path.of("..", "models", name);
        assertTrue(Files.isDirectory(model), "the reference " + reference + " has no model at " + model);
        try (SafetensorsFile file = SafetensorsFile.open(reference);
                HookedTransformer transformer = HookedTransformer.load(model)) {
            long[] shape = file.info("logits").shape();
            long[] ids = file.readLongs("input_ids");
            int rows = (int) shape[0];
            int length = (int) shape[1];
            long[][] tokens = new long[rows][];
            for (int row = 0; row < rows; row++) {
                tokens[row] = Arrays.copyOfRange(ids, row * length, (row + 1) * length);
            }
            float[] expected = file.readFloats("logits");
            try (ForwardResult result = transformer.forward(TokenBatch.of(tokens))) {
                float[] actual = result.logits().toFloatArray();
                assertArrayEquals(expected, actual, 1e-4f, name + ": Arrakis logits against HF's");
            }
        }
    }
}
