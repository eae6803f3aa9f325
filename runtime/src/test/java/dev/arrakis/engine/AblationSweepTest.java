package dev.arrakis.engine;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.Residual;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Selection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Ablation sweeps through the engine's batched passes, against the same interventions written by hand. */
class AblationSweepTest extends TinyModelTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(
            new long[] {5, 17, 3, 99, 42, 7}, new long[] {1, 2, 3, 4, 5, 6}, new long[] {300, 12, 77, 5, 17, 250});
    private static final double TOLERANCE = 1e-5;

    private static RunDefinition headSweep(String name) {
        return RunDefinition.builder(name)
                .intervention(new Ablation("", Selection.everyIndex(), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .plot(PlotKind.AUTO, "")
                .resultType("double")
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
    }

    private static ExperimentRunner runner(ExperimentDefinition definition, int maxRowsPerPass) {
        return ExperimentRunner.open(definition,
                RunnerOptions.defaults().withModel(model).withMaxRowsPerPass(maxRowsPerPass));
    }

    private static double handAblated(RunOptions options) {
        try (ForwardResult result = model.run(PROMPTS, options)) {
            return Metrics.lastLogitDiff(result.logits());
        }
    }

    @Test
    void headSweepEqualsOneHandWrittenRunPerHead() {
        TestDefinition definition = TestDefinition.named("Heads").input("prompts", PROMPTS).run(headSweep("eachHead"));
        RunOutcome outcome;
        try (ExperimentRunner runner = runner(definition, RunnerOptions.DEFAULT_MAX_ROWS_PER_PASS)) {
            outcome = runner.run("eachHead");
        }
        assertEquals(List.of(new SweepAxis("layer", List.of(0, 1)), new SweepAxis("head", List.of(0, 1, 2, 3))),
                outcome.axes());
        assertEquals(3, outcome.record().timings().forwardPasses(),
                "the base pass, then the 4 heads of each layer in one pass that starts at that layer");
        double[][] grid = outcome.grid();
        double clean = handAblated(RunOptions.none());
        for (int layer = 0; layer < 2; layer++) {
            for (int head = 0; head < 4; head++) {
                double expected = handAblated(RunOptions.none()
                        .withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(head)));
                assertEquals(expected, grid[layer][head], TOLERANCE, "layer " + layer + ", head " + head);
                assertEquals(expected, (double) outcome.valueAt(layer, head), TOLERANCE);
            }
        }
        assertTrue(java.util.Arrays.stream(grid).flatMapToDouble(java.util.Arrays::stream)
                .anyMatch(value -> Math.abs(value - clean) > 1e-3),
                () -> "some head matters: clean " + clean + ", ablated " + java.util.Arrays.deepToString(grid));
        PlotRequest plot = outcome.plot().orElseThrow();
        assertEquals(PlotKind.HEATMAP, plot.kind());
        assertEquals("layer", plot.rowLabel());
        assertEquals("head", plot.columnLabel());
        assertEquals(List.of("0", "1", "2", "3"), plot.columnTicks());
        assertArrayEquals(grid[1], plot.panels().get(0).values()[1], 0);
    }

    @Test
    void fewRowsPerPassGiveTheSameResultsAsOnePass() {
        TestDefinition definition = TestDefinition.named("Heads")
                .input("prompts", TokenBatch.of(new long[] {5, 17, 3, 99}, new long[] {1, 2, 3, 4}))
                .run(headSweep("eachHead"));
        RunOutcome onePass;
        RunOutcome onePointPerPass;
        RunOutcome twoPointsPerPass;
        try (ExperimentRunner runner = runner(definition, 512)) {
            onePass = runner.run("eachHead");
        }
        try (ExperimentRunner runner = runner(definition, 3)) {
            onePointPerPass = runner.run("eachHead");
        }
        try (ExperimentRunner runner = runner(definition, 5)) {
            twoPointsPerPass = runner.run("eachHead");
        }
        RunOutcome tokenBound;
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withModel(model).withMaxTokensPerPass(24))) {
            tokenBound = runner.run("eachHead");
        }
        // the base pass, then each layer's 4 heads, which start at that layer, in passes of as many as fit
        assertEquals(1 + 2, onePass.record().timings().forwardPasses());
        assertEquals(1 + 8, onePointPerPass.record().timings().forwardPasses());
        assertEquals(1 + 4, twoPointsPerPass.record().timings().forwardPasses());
        assertEquals(1 + 2 * 2, tokenBound.record().timings().forwardPasses(),
                "3 points of 2 x 4 tokens fit in 24 tokens: 3 + 1 per layer");
        assertArrayEquals(onePass.vector(), onePointPerPass.vector(), TOLERANCE);
        assertArrayEquals(onePass.vector(), twoPointsPerPass.vector(), TOLERANCE);
        assertArrayEquals(onePass.vector(), tokenBound.vector(), TOLERANCE);
    }

    @Test
    void meanAblationOfNeuronsEqualsTheHandComputedMean() {
        String hook = "blocks.1.mlp.hook_post";
        int[] neurons = {3, 7, 100};
        RunDefinition<Object> run = RunDefinition.builder("meanNeurons")
                .intervention(new Ablation("", Selection.of(1), Selection.none(), Selection.of(neurons),
                        Selection.none(), AblationMethod.MEAN))
                .invoker((experiment, context) -> context.logits().array().toFloatArray());
        float[] engine;
        try (ExperimentRunner runner = runner(TestDefinition.named("Mean").input("prompts", PROMPTS).run(run), 512)) {
            ArrayValue value = (ArrayValue) runner.run("meanNeurons").value();
            engine = toFloats(value.values());
        }

        float[] clean;
        long[] shape;
        try (ForwardResult result = model.runWithCache(PROMPTS, hook)) {
            clean = result.cache().get(hook).toFloatArray();
            shape = result.cache().get(hook).getShape().getShape();
        }
        int rows = (int) shape[0];
        int positions = (int) shape[1];
        int width = (int) shape[2];
        float[] replaced = clean.clone();
        for (int position = 0; position < positions; position++) {
            for (int neuron : neurons) {
                double sum = 0;
                for (int row = 0; row < rows; row++) {
                    sum += clean[(row * positions + position) * width + neuron];
                }
                for (int row = 0; row < rows; row++) {
                    replaced[(row * positions + position) * width + neuron] = (float) (sum / rows);
                }
            }
        }
        assertClose("mean-ablated neurons", substituted(hook, replaced, shape), engine, TOLERANCE);
        assertChanged(engine);
    }

    @Test
    void resampleAblationOfHeadsAtPositionsEqualsTheHandComputedResample() {
        String hook = "blocks.0.attn.hook_z";
        int[] heads = {1, 3};
        int[] positions = {2, -1};
        RunDefinition<Object> run = RunDefinition.builder("resampleHeads")
                .intervention(new Ablation("attn.hook_z", Selection.of(0), Selection.of(heads), Selection.none(),
                        Selection.of(positions), AblationMethod.RESAMPLE))
                .invoker((experiment, context) -> context.logits().array().toFloatArray());
        float[] engine;
        try (ExperimentRunner runner = runner(TestDefinition.named("Resample").input("prompts", PROMPTS).run(run),
                512)) {
            engine = toFloats(((ArrayValue) runner.run("resampleHeads").value()).values());
        }

        float[] clean;
        long[] shape;
        try (ForwardResult result = model.runWithCache(PROMPTS, hook)) {
            clean = result.cache().get(hook).toFloatArray();
            shape = result.cache().get(hook).getShape().getShape();
        }
        int rows = (int) shape[0];
        int length = (int) shape[1];
        int headCount = (int) shape[2];
        int dHead = (int) shape[3];
        float[] replaced = clean.clone();
        for (int row = 0; row < rows; row++) {
            int donor = (row + 1) % rows;
            for (int position : new int[] {2, length - 1}) {
                for (int head : heads) {
                    for (int d = 0; d < dHead; d++) {
                        replaced[((row * length + position) * headCount + head) * dHead + d] =
                                clean[((donor * length + position) * headCount + head) * dHead + d];
                    }
                }
            }
        }
        assertClose("resampled heads", substituted(hook, replaced, shape), engine, TOLERANCE);
        assertChanged(engine);
    }

    @Test
    void capturedPatternRowsEqualAPlainCachedRunOfThatPoint() {
        TypedHook<NDArray> array = new TypedHook<>("blocks.1.attn.hook_pattern", NDArray.class);
        TypedHook<AttentionPattern> pattern = new TypedHook<>("blocks.1.attn.hook_pattern", AttentionPattern.class);
        RunDefinition<Object> run = RunDefinition.builder("patternWithoutHead")
                .intervention(new Ablation("", Selection.of(0), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .capture(array)
                .capture(pattern)
                .plot(PlotKind.AUTO, "")
                .invoker((experiment, context) -> {
                    assertEquals(PROMPTS.batchSize(), context.capture(array).getShape().get(0));
                    return context.capture(pattern);
                });
        RunOutcome outcome;
        try (ExperimentRunner runner = runner(TestDefinition.named("Capture").input("prompts", PROMPTS).run(run),
                512)) {
            outcome = runner.run("patternWithoutHead");
        }
        assertEquals(4, outcome.points());
        for (int head = 0; head < 4; head++) {
            ArrayValue captured = (ArrayValue) outcome.values().get(head);
            assertEquals("AttentionPattern", captured.type());
            try (ForwardResult expected = model.run(PROMPTS, RunOptions.none()
                    .withHook("blocks.0.attn.hook_z", Interventions.zeroHeads(head)).withCache(pattern))) {
                assertArrayEquals(expected.cache().get(array).getShape().getShape(), captured.shape());
                assertClose("pattern with head 0." + head + " ablated", expected.cache().get(array).toFloatArray(),
                        toFloats(captured.values()), TOLERANCE);
            }
        }
        PlotRequest plot = outcome.plot().orElseThrow();
        assertEquals(PlotKind.ATTENTION, plot.kind());
        assertEquals("query_pos", plot.rowLabel());
        assertEquals("key_pos", plot.columnLabel());
        assertEquals(4 * 3 * 4, plot.panels().size(), "one panel per (head ablated, example, head)");
        assertEquals("head=2, batch=1, head=3", plot.panels().get(2 * 12 + 1 * 4 + 3).title());
    }

    @Test
    void theWholeCacheIsEachPointsOwnRows() {
        String residual = "blocks.1.hook_resid_post";
        RunDefinition<Object> run = RunDefinition.builder("cacheByHead")
                .intervention(new Ablation("", Selection.of(1), Selection.sweep(0, 2), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .needsCache()
                .invoker((experiment, context) -> {
                    assertTrue(context.cache().contains("blocks.0.mlp.hook_post"),
                            "every point is cached, not at head " + context.coordinate(Axis.HEAD));
                    assertEquals(context.coordinate(Axis.HEAD) == 0 ? 0 : 2, context.coordinate(Axis.HEAD));
                    return context.cache().get(new dev.arrakis.hooks.TypedHook<>(residual, Residual.class));
                });
        RunOutcome outcome;
        try (ExperimentRunner runner = runner(TestDefinition.named("Cache").input("prompts", PROMPTS).run(run), 512)) {
            outcome = runner.run("cacheByHead");
        }
        int[] heads = {0, 2};
        for (int point = 0; point < 2; point++) {
            try (ForwardResult expected = model.run(PROMPTS, RunOptions.none()
                    .withHook("blocks.1.attn.hook_z", Interventions.zeroHeads(heads[point])).withCache(residual))) {
                assertClose("resid_post with head 1." + heads[point] + " ablated",
                        expected.cache().get(residual).toFloatArray(),
                        toFloats(((ArrayValue) outcome.values().get(point)).values()), TOLERANCE);
            }
        }
    }

    @Test
    void aRunWithoutInterventionsIsOnePlainPass() {
        RunDefinition<Object> run = RunDefinition.builder("plain")
                .plot(PlotKind.AUTO, "plain logits")
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        RunOutcome outcome;
        try (ExperimentRunner runner = runner(TestDefinition.named("Plain").input("prompts", PROMPTS).run(run), 512)) {
            outcome = runner.run("plain");
        }
        assertEquals(List.of(), outcome.axes());
        assertEquals(handAblated(RunOptions.none()), (double) outcome.value(), TOLERANCE);
        assertEquals(1, outcome.record().timings().forwardPasses());
        assertEquals(PlotKind.BAR, outcome.plot().orElseThrow().kind());
        assertEquals("plain logits", outcome.plot().orElseThrow().title());
    }

    @Test
    void wholeActivationAblationAtAFullHookNameIgnoresLayers() {
        RunDefinition<Object> run = RunDefinition.builder("noAttention")
                .intervention(new Ablation("blocks.0.hook_attn_out", Selection.none(), Selection.none(),
                        Selection.none(), Selection.of(-1), AblationMethod.ZERO))
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        double engine;
        try (ExperimentRunner runner = runner(TestDefinition.named("Whole").input("prompts", PROMPTS).run(run), 512)) {
            engine = (double) runner.run("noAttention").value();
        }
        double expected = handAblated(RunOptions.none().withHook("blocks.0.hook_attn_out", (activation, context) -> {
            float[] values = activation.toFloatArray();
            long[] shape = activation.getShape().getShape();
            int width = (int) shape[2];
            for (int row = 0; row < shape[0]; row++) {
                int last = (int) ((row * shape[1] + shape[1] - 1) * width);
                java.util.Arrays.fill(values, last, last + width, 0f);
            }
            return context.scope().create(values, new Shape(shape));
        }));
        assertEquals(expected, engine, TOLERANCE);
    }

    /** Logits of a pass whose activation at {@code hook} is replaced by {@code values}. */
    private static float[] substituted(String hook, float[] values, long[] shape) {
        try (ForwardResult result = model.run(PROMPTS, RunOptions.none()
                .withHook(hook, (activation, context) -> context.scope().create(values, new Shape(shape))))) {
            return result.logits().toFloatArray();
        }
    }

    static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    /** The intervention must move the logits, or agreeing with the hand-written one would prove nothing. */
    private static void assertChanged(float[] logits) {
        float[] clean;
        try (ForwardResult result = model.forward(PROMPTS)) {
            clean = result.logits().toFloatArray();
        }
        double largest = 0;
        for (int i = 0; i < clean.length; i++) {
            largest = Math.max(largest, Math.abs(clean[i] - logits[i]));
        }
        assertTrue(largest > 1e-3, "the ablation changed the logits by only " + largest);
    }
}
