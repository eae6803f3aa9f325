package dev.arrakis;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDArray;
import dev.arrakis.io.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * A committed reference case made by {@code tools/reference/make_gpt2_references.py}: an HF checkpoint and the
 * tensors HF transformers computed from it, stored under TransformerLens hook names.
 */
public record ReferenceCase(String name, Path directory) {
    /** Every GPT-2 case; the first two differ in shape and key layout, the last two in weight precision. */
    public static final List<String> GPT2_CASES =
            List.of("gpt2-prefixed", "gpt2-hub-layout", "gpt2-f16-sharded", "gpt2-bf16");

    /**
     * Every other family, with cases for its switches (see tools/reference/README.md): local attention, partial
     * rotary, parallel residual on and off, grouped-query attention, every rope scaling, sliding windows, tied and
     * untied embeddings, (1 + w) norms, soft-capping and post-norms, fused projections, BF16 weights.
     */
    public static final List<String> FAMILY_CASES = List.of("gpt-neo-local", "gpt-neox-parallel",
            "gpt-neox-sequential", "llama-gqa", "llama-rope-linear", "llama-rope-dynamic", "llama-rope-llama3",
            "llama-bf16", "mistral-sliding", "qwen2-tied", "qwen2-untied", "qwen2-rope-yarn", "gemma", "gemma2", "phi3",
            "stablelm-parallel", "stablelm-sequential");

    /** Every committed case. */
    public static final List<String> ALL_CASES =
            java.util.stream.Stream.concat(GPT2_CASES.stream(), FAMILY_CASES.stream()).toList();

    /** Reference tensors that are inputs, not activations. */
    public static final Set<String> INPUTS = Set.of("input_ids", "attention_mask", "position_ids");

    public static ReferenceCase of(String name) {
        Path directory = Path.of("src/test/resources/reference", name).toAbsolutePath();
        if (!Files.isDirectory(directory)) {
            fail("reference case missing: " + directory + " (run tools/reference/make_gpt2_references.py or make_family_references.py)");
        }
        return new ReferenceCase(name, directory);
    }

    public SafetensorsFile reference() {
        return SafetensorsFile.open(directory.resolve("reference.safetensors"));
    }

    public SafetensorsFile paddedReference() {
        return SafetensorsFile.open(directory.resolve("reference-padded.safetensors"));
    }

    /** Reads a 2-D integer tensor as rows. */
    public static long[][] rows(SafetensorsFile file, String name) {
        long[] shape = file.info(name).shape();
        long[] flat = file.readLongs(name);
        long[][] rows = new long[(int) shape[0]][(int) shape[1]];
        for (int r = 0; r < rows.length; r++) {
            System.arraycopy(flat, r * rows[r].length, rows[r], 0, rows[r].length);
        }
        return rows;
    }

    /** The padded reference's {@code attention_mask} (1 attended, 0 padding) as a batch mask. */
    public static boolean[][] attentionMask(SafetensorsFile file) {
        long[][] mask = rows(file, "attention_mask");
        boolean[][] attended = new boolean[mask.length][];
        for (int r = 0; r < mask.length; r++) {
            attended[r] = new boolean[mask[r].length];
            for (int p = 0; p < mask[r].length; p++) {
                attended[r][p] = mask[r][p] == 1;
            }
        }
        return attended;
    }

    /** Asserts equal shapes and elementwise |expected - actual| ≤ tolerance; returns the max difference. */
    public static double assertClose(String what, long[] expectedShape, float[] expected, NDArray actual,
            double tolerance) {
        assertArrayEquals(expectedShape, actual.getShape().getShape(), what + ": shape");
        return assertClose(what, expected, actual.toFloatArray(), tolerance);
    }

    public static double assertClose(String what, float[] expected, float[] actual, double tolerance) {
        if (expected.length != actual.length) {
            fail(what + ": " + actual.length + " values, expected " + expected.length);
        }
        double max = 0;
        int worst = -1;
        for (int i = 0; i < expected.length; i++) {
            double diff = Math.abs((double) expected[i] - actual[i]);
            if (!(diff <= max)) {
                max = diff;
                worst = i;
            }
        }
        if (!(max <= tolerance)) {
            fail(String.format("%s: max |diff| %.3g at flat index %d (expected %s, got %s) exceeds %.1g",
                    what, max, worst, expected[worst], actual[worst], tolerance));
        }
        return max;
    }
}
