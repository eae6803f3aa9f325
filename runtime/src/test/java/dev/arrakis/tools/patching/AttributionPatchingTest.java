package dev.arrakis.tools.patching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.gradients.LogitMetric;
import dev.arrakis.tools.gradients.TlGradients;
import dev.arrakis.train.InductionTask;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Attribution patching against three independent computations: the grids TransformerLens's backward hooks give
 * ({@code tools/reference/tl_gradients.py}), the derivative of a scaled activation patch taken by finite differences,
 * and activation patching itself, which it should track where the metric is close to linear.
 */
class AttributionPatchingTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-gqa"})
    void everyGridEqualsTheTransformerLensComputation(String caseName) {
        try (TlGradients reference = TlGradients.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint())) {
            Map<PatchingGrid, AttributionGrid> grids = AttributionPatching.grids(model, reference.clean(),
                    reference.corrupted(), reference.metric(), PatchingGrid.values());
            Map<PatchingGrid, String> keys = Map.of(PatchingGrid.RESID_PRE, "attr/resid_pre", PatchingGrid.ATTN_OUT,
                    "attr/attn_out", PatchingGrid.MLP_OUT, "attr/mlp_out", PatchingGrid.HEAD_OUT, "attr/z",
                    PatchingGrid.HEAD_OUT_BY_POSITION, "attr/z_by_pos");
            keys.forEach((grid, key) -> {
                float[] expected = reference.floats(key);
                double[] actual = grids.get(grid).values();
                assertEquals(expected.length, actual.length, caseName + " " + grid + ": cells");
                for (int i = 0; i < expected.length; i++) {
                    assertEquals(expected[i], actual[i], 1e-4, caseName + " " + grid + " cell " + i);
                }
            });
        }
    }

    /**
     * Each cell is d/dε metric(corrupted + ε (clean - corrupted) at that cell) at ε = 0, taken here by Richardson-
     * extrapolated central differences of hand-written patched runs.
     */
    @Test
    void eachCellIsTheDerivativeOfAScaledPatch() {
        try (TlGradients reference = TlGradients.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint())) {
            ActivationPatchingByHand byHand = new ActivationPatchingByHand(model, reference.clean(),
                    reference.corrupted(), reference.metric());
            try (byHand) {
            Map<PatchingGrid, AttributionGrid> grids = AttributionPatching.grids(model, reference.clean(),
                    reference.corrupted(), reference.metric(), PatchingGrid.RESID_PRE,
                    PatchingGrid.HEAD_OUT_BY_POSITION);
            double largest = 0;
            for (int[] cell : new int[][] {{1, 5}, {0, 6}, {1, 7}}) {
                double numeric = derivative(byHand, "blocks." + cell[0] + ".hook_resid_pre", cell[1], -1);
                double estimate = grids.get(PatchingGrid.RESID_PRE).at(cell[0], cell[1]);
                assertEquals(numeric, estimate, 1e-4 + 1e-3 * Math.abs(numeric), "resid_pre layer " + cell[0]
                        + " position " + cell[1] + ": finite difference " + numeric + ", estimate " + estimate);
                largest = Math.max(largest, Math.abs(numeric));
            }
            for (int[] cell : new int[][] {{1, 2, 7}, {0, 3, 5}}) {
                double numeric = derivative(byHand, "blocks." + cell[0] + ".attn.hook_z", cell[2], cell[1]);
                double estimate = grids.get(PatchingGrid.HEAD_OUT_BY_POSITION).at(cell[0], cell[1], cell[2]);
                assertEquals(numeric, estimate, 1e-4 + 1e-3 * Math.abs(numeric), "z layer " + cell[0] + " head "
                        + cell[1] + " position " + cell[2] + ": finite difference " + numeric + ", estimate "
                        + estimate);
                largest = Math.max(largest, Math.abs(numeric));
            }
            assertTrue(largest > 1e-2, "the checked cells are not trivially small: largest " + largest);
            }
        }
    }

    private static double derivative(ActivationPatchingByHand byHand, String hook, int position, int head) {
        double step = 0.1;
        double wide = (byHand.patchedMetric(hook, position, head, step)
                - byHand.patchedMetric(hook, position, head, -step)) / (2 * step);
        double narrow = (byHand.patchedMetric(hook, position, head, step / 2)
                - byHand.patchedMetric(hook, position, head, -step / 2)) / step;
        return (4 * narrow - wide) / 3;
    }

    /**
     * On the induction model, repeated random tokens (clean) against a fresh second half (corrupted), scored by the
     * log-probability of the repeated tokens: the estimate tracks activation patching closely for attention outputs
     * and heads, less so for the residual stream (a whole residual vector is a large, non-linear change). The model
     * is attention-only, so both MLP grids are zero.
     */
    @Test
    void tracksActivationPatchingOnTheInductionModel() {
        int half = 8;
        TokenBatch clean = InductionTask.repeatedHalves(64, 2 * half).batches(4, 21).next();
        TokenBatch corrupted = freshSecondHalf(clean, half, 64, 22);
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/induction-2l").toAbsolutePath())) {
            Map<PatchingGrid, double[]> correlations = correlations(model, clean, corrupted,
                    LogitMetric.nextTokenLogProb(clean, half), "induction-2l");
            assertTrue(correlations.get(PatchingGrid.RESID_PRE)[0] > 0.6, "resid_pre correlation "
                    + correlations.get(PatchingGrid.RESID_PRE)[0]);
            for (PatchingGrid grid : new PatchingGrid[] {PatchingGrid.ATTN_OUT, PatchingGrid.HEAD_OUT,
                    PatchingGrid.HEAD_OUT_BY_POSITION}) {
                assertTrue(correlations.get(grid)[0] > 0.95, grid + " correlation " + correlations.get(grid)[0]);
            }
            double[] mlp = correlations.get(PatchingGrid.MLP_OUT);
            assertEquals(0, mlp[1], 1e-6, "largest |estimate| on the MLP grid of an attention-only model");
            assertEquals(0, mlp[2], 1e-6, "largest |measured effect| on the MLP grid of an attention-only model");
        }
    }

    /**
     * The same on the untrained GPT-2 checkpoint and the reference's random tokens, whose second half is redrawn:
     * patching a whole residual vector there is far from the corrupted one and the first-order estimate is weak
     * (0.20 measured), while attention, MLP and head outputs track it (0.92 to 0.97).
     */
    @Test
    void tracksActivationPatchingOnGpt2Tiny() {
        try (TlGradients reference = TlGradients.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint())) {
            Map<PatchingGrid, double[]> correlations = correlations(model, reference.clean(), reference.corrupted(),
                    reference.metric(), "gpt2-tiny");
            assertTrue(correlations.get(PatchingGrid.RESID_PRE)[0] > 0.1, "resid_pre correlation "
                    + correlations.get(PatchingGrid.RESID_PRE)[0]);
            for (PatchingGrid grid : new PatchingGrid[] {PatchingGrid.ATTN_OUT, PatchingGrid.MLP_OUT,
                    PatchingGrid.HEAD_OUT, PatchingGrid.HEAD_OUT_BY_POSITION}) {
                assertTrue(correlations.get(grid)[0] > 0.9, grid + " correlation " + correlations.get(grid)[0]);
            }
        }
    }

    /** Per grid: the correlation, the largest |estimate| and the largest |measured effect|; printed as measured. */
    private static Map<PatchingGrid, double[]> correlations(HookedTransformer model, TokenBatch clean,
            TokenBatch corrupted, LogitMetric metric, String name) {
        Map<PatchingGrid, AttributionGrid> grids = AttributionPatching.grids(model, clean, corrupted, metric,
                PatchingGrid.values());
        Map<PatchingGrid, double[]> result = new java.util.EnumMap<>(PatchingGrid.class);
        StringBuilder report = new StringBuilder("attribution vs activation patching on " + name + ", correlation:");
        try (ActivationPatchingByHand byHand = new ActivationPatchingByHand(model, clean, corrupted, metric)) {
            double base = byHand.corruptedMetric();
            for (PatchingGrid grid : PatchingGrid.values()) {
                AttributionGrid estimated = grids.get(grid);
                double[] measured = new double[estimated.values().length];
                int heads = model.config().heads();
                int positions = clean.sequenceLength();
                int next = 0;
                for (int layer = 0; layer < model.config().layers(); layer++) {
                    String hook = "blocks." + layer + "." + grid.hook();
                    if (grid.byHead() && grid.byPosition()) {
                        for (int head = 0; head < heads; head++) {
                            for (int position = 0; position < positions; position++) {
                                measured[next++] = byHand.patchedMetric(hook, position, head, 1) - base;
                            }
                        }
                    } else if (grid.byHead()) {
                        for (int head = 0; head < heads; head++) {
                            measured[next++] = byHand.patchedMetric(hook, -1, head, 1) - base;
                        }
                    } else {
                        for (int position = 0; position < positions; position++) {
                            measured[next++] = byHand.patchedMetric(hook, position, -1, 1) - base;
                        }
                    }
                }
                double correlation = AttributionGrid.correlation(estimated.values(), measured);
                result.put(grid, new double[] {correlation, largest(estimated.values()), largest(measured)});
                report.append(String.format(" %s %.3f;", grid, correlation));
            }
        }
        System.out.println(report);
        return result;
    }

    private static double largest(double[] values) {
        double largest = 0;
        for (double value : values) {
            largest = Math.max(largest, Math.abs(value));
        }
        return largest;
    }

    static TokenBatch freshSecondHalf(TokenBatch clean, int half, int vocab, long seed) {
        Random random = new Random(seed);
        long[][] rows = new long[clean.batchSize()][clean.sequenceLength()];
        for (int row = 0; row < rows.length; row++) {
            for (int position = 0; position < rows[row].length; position++) {
                rows[row][position] = position < half ? clean.token(row, position) : random.nextInt(vocab);
            }
        }
        return TokenBatch.of(rows);
    }
}
