package dev.arrakis.model;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsFile;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Logits unembedded on demand equal the whole logits, row for row: on GPT-2 (LayerNorm, learned positions), a
 * LLaMA-style model (RMSNorm, rotary, grouped-query attention) and Gemma 2 (final logit soft-cap 3.0), and reading
 * one position unembeds that row only.
 */
class LazyLogitsTest {
    /**
     * One row of logits is a matrix product with one row where the whole array is one with many; BLAS sums in another
     * order then, which moves a logit by a few ulps (measured: at most 1.2e-6 on logits up to 5). The bound is the
     * equality asked of every optimised path against the unoptimised one, in f32.
     */
    static final double EQUAL_TO_WHOLE = 1e-5;

    /** (example, position) pairs read on demand; -1 counts from the end, as metrics usually read. */
    private static final int[][] READ = {{0, 0}, {1, -1}, {1, 3}};

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-prefixed", "llama-gqa", "gemma2"})
    void rowsReadOnDemandEqualTheWholeLogitsAndHf(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        try (SafetensorsFile expected = reference.reference();
                HookedTransformer model = HookedTransformer.load(reference.directory())) {
            long[][] ids = ReferenceCase.rows(expected, "input_ids");
            float[] hfLogits = expected.readFloats("logits");
            int positions = ids[0].length;
            int vocab = model.config().vocabSize();
            try (ForwardResult pass = model.forward(TokenBatch.of(ids))) {
                Logits logits = pass.lazyLogits();
                float[][] onDemand = new float[READ.length][];
                java.util.Set<Integer> positionsRead = new java.util.HashSet<>();
                for (int i = 0; i < READ.length; i++) {
                    onDemand[i] = logits.at(READ[i][0], READ[i][1]);
                    positionsRead.add(Math.floorMod(READ[i][1], positions));
                    assertEquals((long) ids.length * positionsRead.size(), logits.unembeddedRows(), caseName
                            + ": rows unembedded after reading " + (i + 1) + " rows at positions " + positionsRead
                            + " (each position for all " + ids.length + " examples at once)");
                }
                float again = logits.logitDiff(READ[0][0], READ[0][1], 3, 7);
                assertEquals(onDemand[0][3] - onDemand[0][7], again, 0f, caseName + ": logitDiff of a row read");
                long read = (long) ids.length * positionsRead.size();
                assertEquals(read, logits.unembeddedRows(), caseName + ": a row read twice is unembedded once");

                NDArray whole = pass.logits();
                assertEquals(read + (long) ids.length * positions, logits.unembeddedRows(),
                        caseName + ": reading the whole array unembeds every row once");
                for (int i = 0; i < READ.length; i++) {
                    int example = READ[i][0];
                    int position = Math.floorMod(READ[i][1], positions);
                    String what = caseName + " row (" + example + ", " + position + ")";
                    assertEquals(vocab, onDemand[i].length, what + ": logits per row");
                    float[] eager = whole.get(new NDIndex("{}, {}", example, position)).toFloatArray();
                    double diff = assertClose(what + " on demand vs whole", eager, onDemand[i], EQUAL_TO_WHOLE);
                    System.out.printf("%s: max |on demand - whole| = %.3g%n", what, diff);
                    int offset = (example * positions + position) * vocab;
                    assertClose(what + " on demand vs HF", Arrays.copyOfRange(hfLogits, offset, offset + vocab),
                            onDemand[i], ReferenceConformanceTest.TOLERANCE);
                }
            }
        }
    }

    /**
     * A logit difference at a position not unembedded yet computes the two tokens' logits only (no row), and equals
     * the difference read from the HF logits; on Gemma 2 the soft-cap applies to each of the two.
     */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-prefixed", "llama-gqa", "gemma2"})
    void aLogitDifferenceComputesOnlyItsTwoTokens(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        try (SafetensorsFile expected = reference.reference();
                HookedTransformer model = HookedTransformer.load(reference.directory())) {
            long[][] ids = ReferenceCase.rows(expected, "input_ids");
            float[] hfLogits = expected.readFloats("logits");
            int positions = ids[0].length;
            int vocab = model.config().vocabSize();
            int[] tokens = {3, vocab - 1};
            try (ForwardResult pass = model.forward(TokenBatch.of(ids))) {
                Logits logits = pass.lazyLogits();
                for (int example = 0; example < ids.length; example++) {
                    float diff = logits.logitDiff(example, -1, tokens[0], tokens[1]);
                    int offset = (example * positions + positions - 1) * vocab;
                    float hf = hfLogits[offset + tokens[0]] - hfLogits[offset + tokens[1]];
                    assertEquals(hf, diff, ReferenceConformanceTest.TOLERANCE, caseName + " example " + example
                            + ": logit(" + tokens[0] + ") - logit(" + tokens[1] + ") at the last position, HF " + hf
                            + " vs two-token " + diff);
                }
                assertEquals(0, logits.unembeddedRows(), caseName + ": rows unembedded for logit differences");
            }
        }
    }

    /** Rows of a pass, as a sweep point reads them, unembed only their own examples' rows, none of the pass's others. */
    @Test
    void rowsOfAPassStayOnDemand() {
        ReferenceCase reference = ReferenceCase.of("gpt2-prefixed");
        try (SafetensorsFile expected = reference.reference();
                HookedTransformer model = HookedTransformer.load(reference.directory())) {
            long[][] ids = ReferenceCase.rows(expected, "input_ids");
            TokenBatch fourRows = TokenBatch.of(ids[0], ids[1], ids[1], ids[0]);
            try (ForwardResult pass = model.forward(fourRows); NDManager scope = pass.newScope()) {
                Logits point = pass.lazyLogits().rows(2, 4, scope);
                assertEquals(2, point.batchSize(), "examples in rows 2..4");
                float[] read = point.at(1, -1);
                assertEquals(2, point.unembeddedRows(), "rows the point unembedded: its 2 examples at the position read");
                assertEquals(0, pass.lazyLogits().unembeddedRows(), "rows unembedded for the whole pass");
                float[] eager = pass.logits().get(new NDIndex("3, -1")).toFloatArray();
                assertClose("row 3, last position, through the point's rows", eager, read, EQUAL_TO_WHOLE);
            }
        }
    }

    /**
     * The unembedding bias applies to the rows read: folding ln_final into the unembedding (TransformerLens's
     * processing) moves its bias into {@code unembed.b_U}; with the norm's output replaced by zeros, every logit is
     * exactly that bias, whatever the tokens.
     */
    @Test
    void unembeddingBiasAppliesToRowsReadAndFinalNormHooksStillRun() {
        ReferenceCase reference = ReferenceCase.of("gpt2-prefixed");
        try (HookedTransformer model = HookedTransformer.load(reference.directory().toString(),
                WeightProcessing.transformerLensDefaults())) {
            float[] bias = model.weights().unembeddingBias().toFloatArray();
            TokenBatch batch = TokenBatch.of(new long[] {5, 17, 3, 99, 42});
            RunOptions zeroNorm = RunOptions.none().withHook("ln_final.hook_normalized",
                    (activation, context) -> activation.zerosLike());
            try (ForwardResult pass = model.run(batch, zeroNorm)) {
                float[] read = pass.lazyLogits().at(0, 2);
                assertClose("logits of a zeroed final norm vs b_U", bias, read, 0);
            }
            float largest = 0;
            for (float value : bias) {
                largest = Math.max(largest, Math.abs(value));
            }
            assertEquals(true, largest > 1e-3, "the folded bias is not zero: largest |b_U| " + largest);
        }
    }

    /** A cache of the final norm holds it whether or not the logits are ever read. */
    @Test
    void finalNormIsCachedWithoutReadingLogits() {
        ReferenceCase reference = ReferenceCase.of("gpt2-prefixed");
        try (SafetensorsFile expected = reference.reference();
                HookedTransformer model = HookedTransformer.load(reference.directory())) {
            long[][] ids = ReferenceCase.rows(expected, "input_ids");
            try (ForwardResult pass = model.runWithCache(TokenBatch.of(ids), "ln_final.hook_scale")) {
                assertClose("ln_final.hook_scale vs HF", expected.info("ln_final.hook_scale").shape(),
                        expected.readFloats("ln_final.hook_scale"), pass.cache().get("ln_final.hook_scale"),
                        ReferenceConformanceTest.TOLERANCE);
                assertEquals(0, pass.lazyLogits().unembeddedRows(), "rows unembedded when no logit was read");
            }
        }
    }
}
