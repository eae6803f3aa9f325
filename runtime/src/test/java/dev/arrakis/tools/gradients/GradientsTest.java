package dev.arrakis.tools.gradients;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Gradients at hook points against central finite differences of the metric, backward hooks against the gradient
 * cache, failures that leave nothing attached, and the two token attributions against their definitions.
 */
class GradientsTest {
    private static final TokenBatch BATCH = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7}, new long[] {8, 1, 250,
            31, 12, 64});
    private static final LogitMetric METRIC = LogitMetric.logitDifference(new long[] {11, 40}, new long[] {2, 300});
    private static HookedTransformer model;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/gpt2-tiny").toAbsolutePath().normalize());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** d metric / d activation at a few components, against Richardson-extrapolated central differences. */
    @Test
    void gradientsEqualFiniteDifferences() {
        String[] hooks = {"blocks.1.hook_resid_pre", "blocks.0.attn.hook_z", "blocks.1.hook_mlp_out"};
        try (GradientCache cache = Gradients.runWithCache(model, BATCH, METRIC, hooks)) {
            double largest = 0;
            for (String hook : hooks) {
                float[] gradient = cache.gradient(hook).toFloatArray();
                long[] shape = cache.gradient(hook).getShape().getShape();
                int perRow = gradient.length / (int) shape[0];
                // row 0 position 2 (reaches the last position only through attention), row 1's last position
                for (int flat : new int[] {2 * perRow / 6 + 1, 2 * perRow / 6 + 13, perRow + perRow * 5 / 6 + 3}) {
                    double numeric = finiteDifference(hook, shape, flat);
                    assertEquals(numeric, gradient[flat], 1e-4 + 1e-3 * Math.abs(numeric),
                            "d metric / d " + hook + "[flat " + flat + "]: finite difference " + numeric
                                    + ", autograd " + gradient[flat]);
                    largest = Math.max(largest, Math.abs(numeric));
                }
            }
            assertTrue(largest > 1e-2, "the checked gradients are not trivially small: largest " + largest);
        }
    }

    /** Richardson's {@code (4 D(h/2) - D(h)) / 3} of central differences: error O(h⁴) in place of O(h²). */
    private static double finiteDifference(String hook, long[] shape, int flat) {
        double step = 0.05;
        double wide = central(hook, shape, flat, step);
        double narrow = central(hook, shape, flat, step / 2);
        return (4 * narrow - wide) / 3;
    }

    private static double central(String hook, long[] shape, int flat, double step) {
        return (metricWithNudge(hook, shape, flat, step) - metricWithNudge(hook, shape, flat, -step)) / (2 * step);
    }

    private static double metricWithNudge(String hook, long[] shape, int flat, double step) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float[] nudge = new float[(int) new Shape(shape).size()];
            nudge[flat] = (float) step;
            NDArray offset = manager.create(nudge, new Shape(shape));
            try (ForwardResult result = model.run(BATCH,
                    RunOptions.none().withHook(hook, (activation, context) -> activation.add(offset)))) {
                return GradientAccess.value(METRIC, result.logits());
            }
        }
    }

    @Test
    void backwardHooksSeeTheCachedGradientsLatestFirst() {
        String early = "blocks.0.hook_resid_pre";
        String late = "blocks.1.hook_attn_out";
        Map<String, float[]> seen = new LinkedHashMap<>();
        Map<String, BackwardHook> hooks = new LinkedHashMap<>();
        hooks.put(early, (gradient, point) -> seen.put(point.name(), gradient.toFloatArray()));
        hooks.put(late, (gradient, point) -> seen.put(point.name(), gradient.toFloatArray()));
        double metric = Gradients.runWithBackwardHooks(model, BATCH, METRIC, hooks);
        try (GradientCache cache = Gradients.runWithCache(model, BATCH, METRIC, early, late)) {
            assertEquals(List.of(late, early), new ArrayList<>(seen.keySet()), "order the hooks ran in");
            assertEquals(List.of(early, late), new ArrayList<>(cache.names()), "the cache's names, forward order");
            assertEquals(cache.metric(), metric, 1e-6, "metric of both calls");
            assertArrayEquals(cache.gradient(early).toFloatArray(), seen.get(early), 1e-6f, "gradient at " + early);
            assertArrayEquals(cache.gradient(late).toFloatArray(), seen.get(late), 1e-6f, "gradient at " + late);
        }
    }

    /** A throwing hook fails the call with its hook point named; the next call runs without it, gradients intact. */
    @Test
    void aThrowingBackwardHookIsDetachedWhenTheCallEnds() {
        int[] calls = {0};
        String hook = "blocks.1.hook_resid_pre";
        GradientException failure = assertThrows(GradientException.class, () -> Gradients.runWithBackwardHooks(model,
                BATCH, METRIC, Map.of(hook, (gradient, point) -> {
                    calls[0]++;
                    throw new IllegalStateException("boom");
                })));
        assertTrue(failure.getMessage().contains("backward hook at '" + hook + "'")
                && failure.getMessage().contains("boom"), "message: " + failure.getMessage());
        try (GradientCache cache = Gradients.runWithCache(model, BATCH, METRIC, hook)) {
            assertEquals(1, calls[0], "calls of the throwing hook after a second, hook-free call");
            assertTrue(cache.gradient(hook).abs().max().getFloat() > 0, "gradients still flow after the failure");
        }
    }

    @Test
    void aMetricThatThrowsOrIsNotAScalarIsRefusedByName() {
        GradientException threw = assertThrows(GradientException.class, () -> Gradients.runWithCache(model, BATCH,
                logits -> {
                    throw new IllegalArgumentException("no such token");
                }, "hook_embed"));
        assertTrue(threw.getMessage().contains("the metric threw") && threw.getMessage().contains("no such token"),
                "message: " + threw.getMessage());
        GradientException vector = assertThrows(GradientException.class, () -> Gradients.runWithCache(model, BATCH,
                logits -> logits.sum(new int[] {2}), "hook_embed"));
        assertTrue(vector.getMessage().contains("shape (2, 6)") && vector.getMessage().contains("one number"),
                "message: " + vector.getMessage());
    }

    /** Input × gradient is, per token, the embedding dotted with the cached gradient there. */
    @Test
    void inputTimesGradientIsEmbeddingDotGradient() {
        TokenAttribution attribution = InputAttribution.inputTimesGradient(model, BATCH, METRIC);
        try (GradientCache cache = Gradients.runWithCache(model, BATCH, METRIC, "hook_embed")) {
            float[] x = cache.activation("hook_embed").toFloatArray();
            float[] g = cache.gradient("hook_embed").toFloatArray();
            int d = model.config().dModel();
            for (int row = 0; row < 2; row++) {
                for (int position = 0; position < 6; position++) {
                    double expected = 0;
                    for (int i = 0; i < d; i++) {
                        expected += x[(row * 6 + position) * d + i] * g[(row * 6 + position) * d + i];
                    }
                    assertEquals(expected, attribution.scores()[row][position], 1e-5,
                            "input x gradient at row " + row + ", position " + position);
                }
            }
            assertEquals(cache.metric(), attribution.metric(), 1e-6, "metric");
        }
    }

    /**
     * Integrated gradients is complete: its scores sum to metric(input) - metric(zero embedding), and the midpoint
     * rule's gap shrinks as the steps grow (about fourfold per doubling for a smooth path).
     */
    @Test
    void integratedGradientsApproachCompletenessAsStepsGrow() {
        double[] gaps = new double[3];
        int[] steps = {4, 16, 64};
        TokenAttribution finest = null;
        for (int i = 0; i < steps.length; i++) {
            finest = InputAttribution.integratedGradients(model, BATCH, METRIC, steps[i]);
            gaps[i] = Math.abs(finest.completenessGap());
        }
        double change = finest.metric() - finest.baselineMetric();
        System.out.printf("integrated gradients on gpt2-tiny: metric change %.6f, completeness gap %.3g / %.3g / %.3g"
                + " at 4 / 16 / 64 steps%n", change, gaps[0], gaps[1], gaps[2]);
        assertTrue(Math.abs(change) > 0.1, "the metric moves along the path: " + change);
        assertTrue(gaps[2] < gaps[1] && gaps[1] < gaps[0], "completeness gaps at 4, 16, 64 steps: " + gaps[0] + ", "
                + gaps[1] + ", " + gaps[2]);
        assertTrue(gaps[2] < 1e-3 * Math.abs(change) + 1e-4, "gap at 64 steps " + gaps[2] + " for a change of "
                + change);
        try (ForwardResult plain = model.forward(BATCH)) {
            assertEquals(GradientAccess.value(METRIC, plain.logits()), finest.metric(), 1e-6, "metric on the input");
        }
    }

    /** A given baseline equal to the input leaves nothing to attribute. */
    @Test
    void integratedGradientsFromTheInputItselfAttributeNothing() {
        try (ForwardResult embedded = model.runWithCache(BATCH, "hook_embed")) {
            TokenAttribution attribution = InputAttribution.integratedGradients(model, BATCH, METRIC, 3,
                    embedded.cache().get("hook_embed"));
            assertEquals(attribution.metric(), attribution.baselineMetric(), 1e-6, "metric at both ends");
            assertEquals(0, attribution.total(), 1e-9, "sum of scores");
        }
    }
}
