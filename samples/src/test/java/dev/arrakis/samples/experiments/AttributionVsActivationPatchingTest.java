package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.samples.experiments.AttributionVsActivationPatching.Comparison;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample's four grids and two correlations against the same quantities written out here: the metric as a
 * log-softmax loop over the logits, activation patching as hand-written hooks (one pass per cell), attribution
 * patching as {@code (clean - corrupted) · grad} with the gradient of a zero leaf added at the hook point under
 * DJL's own gradient collector.
 */
class AttributionVsActivationPatchingTest {
    private static final int LAYERS = 2;
    private static final int HEADS = 4;
    private static final int POSITIONS = 2 * AttributionVsActivationPatching.HALF;
    private static HookedTransformer model;
    private static TokenBatch clean;
    private static TokenBatch corrupted;
    private static Comparison sample;

    @BeforeAll
    static void run() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        AttributionVsActivationPatching experiment = new AttributionVsActivationPatching();
        clean = experiment.clean();
        corrupted = experiment.corrupted();
        try (ExperimentRunner runner = ExperimentRunner.open(ExperimentRegistry.load(
                AttributionVsActivationPatchingTest.class.getClassLoader()).find("AttributionVsActivationPatching"),
                RunnerOptions.defaults().withModel(model))) {
            sample = AttributionVsActivationPatching.compare(runner);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /**
     * Every estimated cell against the explicit gradient; the measured cells at a spread of positions (each one a
     * pass of its own) against hand-patched runs; the correlation recomputed from the sample's grids.
     */
    @Test
    void residualGridEqualsHandPatchedRunsAndAnExplicitGradient() {
        double base = metric(RunOptions.none());
        for (int layer = 0; layer < LAYERS; layer++) {
            String hook = "blocks." + layer + ".hook_resid_pre";
            float[] cleanActivation = cached(clean, hook);
            float[] corruptedActivation = cached(corrupted, hook);
            Shape shape = new Shape(clean.batchSize(), POSITIONS, 64);
            float[] gradient = explicitGradient(hook, shape);
            for (int position = 0; position < POSITIONS; position++) {
                int cell = layer * POSITIONS + position;
                double estimated = effect(cleanActivation, corruptedActivation, gradient, shape.getShape(), position,
                        -1);
                assertEquals(estimated, sample.residEstimated()[cell], 1e-4, "attribution patching of " + hook
                        + " at position " + position);
            }
            for (int position : new int[] {0, 31, 32, 40, 47, 55, 59, 63}) {
                int cell = layer * POSITIONS + position;
                double measured = metric(RunOptions.none().withHook(hook, (activation, context) ->
                        patched(activation, cleanActivation, context.scope(), position, -1))) - base;
                assertEquals(measured, sample.residMeasured()[cell], 1e-4, "activation patching of " + hook
                        + " at position " + position);
            }
        }
        double correlation = correlation(sample.residMeasured(), sample.residEstimated());
        assertEquals(correlation, sample.residCorrelation(), 1e-9, "resid_pre correlation");
        assertTrue(Math.abs(correlation) < 0.2, "a single position's residual is far outside the linear regime here:"
                + " correlation " + correlation);
    }

    @Test
    void headGridEqualsHandPatchedRunsAndAnExplicitGradient() {
        double base = metric(RunOptions.none());
        double[] measured = new double[LAYERS * HEADS];
        double[] estimated = new double[LAYERS * HEADS];
        for (int layer = 0; layer < LAYERS; layer++) {
            String hook = "blocks." + layer + ".attn.hook_z";
            float[] cleanActivation = cached(clean, hook);
            float[] corruptedActivation = cached(corrupted, hook);
            Shape shape = new Shape(clean.batchSize(), POSITIONS, HEADS, 16);
            float[] gradient = explicitGradient(hook, shape);
            for (int head = 0; head < HEADS; head++) {
                int cell = layer * HEADS + head;
                int chosen = head;
                measured[cell] = metric(RunOptions.none().withHook(hook, (activation, context) ->
                        patched(activation, cleanActivation, context.scope(), -1, chosen))) - base;
                estimated[cell] = effect(cleanActivation, corruptedActivation, gradient, shape.getShape(), -1,
                        head);
                assertEquals(measured[cell], sample.headsMeasured()[cell], 1e-4, "activation patching of L" + layer
                        + "H" + head);
                assertEquals(estimated[cell], sample.headsEstimated()[cell], 1e-4, "attribution patching of L"
                        + layer + "H" + head);
            }
        }
        double correlation = correlation(measured, estimated);
        assertEquals(correlation, sample.headCorrelation(), 1e-6, "head correlation");
        assertTrue(correlation > 0.9, "the estimate tracks patching each head: correlation " + correlation);
    }

    /** Mean log-probability of the clean tokens at positions HALF..62 of the corrupted run, from the logits. */
    private static double metric(RunOptions options) {
        try (ForwardResult run = model.run(corrupted, options)) {
            float[] logits = run.logits().toFloatArray();
            int vocab = model.config().vocabSize();
            double sum = 0;
            int counted = 0;
            for (int row = 0; row < clean.batchSize(); row++) {
                for (int position = AttributionVsActivationPatching.HALF; position < POSITIONS - 1; position++) {
                    int at = (row * POSITIONS + position) * vocab;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, logits[at + v]);
                    }
                    double normaliser = 0;
                    for (int v = 0; v < vocab; v++) {
                        normaliser += Math.exp(logits[at + v] - max);
                    }
                    sum += logits[at + (int) clean.token(row, position + 1)] - max - Math.log(normaliser);
                    counted++;
                }
            }
            return sum / counted;
        }
    }

    private static float[] cached(TokenBatch batch, String hook) {
        try (ForwardResult run = model.runWithCache(batch, hook)) {
            return run.cache().get(hook).toFloatArray();
        }
    }

    /** The activation with the clean values at one position (axis 1) or one head (axis 2), the rest untouched. */
    private static NDArray patched(NDArray activation, float[] cleanActivation, NDManager scope, int position,
            int head) {
        float[] values = activation.toFloatArray();
        long[] shape = activation.getShape().getShape();
        for (int i = 0; i < values.length; i++) {
            if (selected(i, shape, position, head)) {
                values[i] = cleanActivation[i];
            }
        }
        return scope.create(values, activation.getShape());
    }

    private static boolean selected(int flat, long[] shape, int position, int head) {
        long perPosition = 1;
        for (int axis = 2; axis < shape.length; axis++) {
            perPosition *= shape[axis];
        }
        long positionOf = flat / perPosition % shape[1];
        long headOf = shape.length == 4 ? flat / shape[3] % shape[2] : -1;
        return (position < 0 || positionOf == position) && (head < 0 || headOf == head);
    }

    private static double effect(float[] clean, float[] corrupted, float[] gradient, long[] shape, int position,
            int head) {
        double sum = 0;
        for (int i = 0; i < gradient.length; i++) {
            if (selected(i, shape, position, head)) {
                sum += (double) (clean[i] - corrupted[i]) * gradient[i];
            }
        }
        return sum;
    }

    /** d metric / d activation on the corrupted run: the gradient of a zero leaf added at the hook point. */
    private static float[] explicitGradient(String hook, Shape shape) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray leaf = manager.zeros(shape);
            leaf.setRequiresGradient(true);
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    ForwardResult run = model.run(corrupted,
                            RunOptions.none().withHook(hook, (activation, context) -> activation.add(leaf)))) {
                collector.backward(AttributionVsActivationPatching.repeatLogProb(clean).apply(run.logits()));
                return leaf.getGradient().toFloatArray();
            }
        }
    }

    private static double correlation(double[] a, double[] b) {
        double meanA = 0;
        double meanB = 0;
        for (int i = 0; i < a.length; i++) {
            meanA += a[i];
            meanB += b[i];
        }
        meanA /= a.length;
        meanB /= b.length;
        double ab = 0;
        double aa = 0;
        double bb = 0;
        for (int i = 0; i < a.length; i++) {
            ab += (a[i] - meanA) * (b[i] - meanB);
            aa += (a[i] - meanA) * (a[i] - meanA);
            bb += (b[i] - meanB) * (b[i] - meanB);
        }
        return ab / Math.sqrt(aa * bb);
    }
}
