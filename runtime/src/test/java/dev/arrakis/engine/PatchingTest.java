package dev.arrakis.engine;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Selection;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Activation patching from a clean input into a corrupted one, against hand-written patching hooks. */
class PatchingTest extends TinyModelTest {
    private static final TokenBatch CLEAN = TokenBatch.of(
            new long[] {5, 17, 3, 99, 42, 7}, new long[] {1, 2, 3, 4, 5, 6});
    private static final TokenBatch CORRUPTED = TokenBatch.of(
            new long[] {5, 17, 200, 99, 42, 7}, new long[] {1, 2, 3, 150, 5, 6});
    private static final double TOLERANCE = 1e-5;

    private static TestDefinition experiment(TokenBatch clean, TokenBatch corrupted, RunDefinition run) {
        return TestDefinition.named("Patching").input("clean", clean).input("corrupted", corrupted).run(run);
    }

    private static RunOutcome run(TestDefinition definition, String runName) {
        try (ExperimentRunner runner = ExperimentRunner.open(definition, RunnerOptions.defaults().withModel(model))) {
            return runner.run(runName);
        }
    }

    @Test
    void patchingTheWholeFirstResidualStreamGivesTheCleanLogits() {
        RunDefinition<Object> run = RunDefinition.builder("everything")
                .intervention(new Patching("hook_resid_pre", Selection.of(0), Selection.none(), Selection.none(),
                        "clean", "corrupted"))
                .invoker((experiment, context) -> context.logits());
        ArrayValue patched = (ArrayValue) run(experiment(CLEAN, CORRUPTED, run), "everything").value();
        try (ForwardResult clean = model.forward(CLEAN); ForwardResult corrupted = model.forward(CORRUPTED)) {
            float[] patchedLogits = AblationSweepTest.toFloats(patched.values());
            assertClose("patched = clean", clean.logits().toFloatArray(), patchedLogits, TOLERANCE);
            float change = corrupted.logits().sub(clean.logits()).abs().max().getFloat();
            assertTrue(change > 1e-3, "the corruption changes the logits by at most " + change);
        }
    }

    @Test
    void layerByPositionSweepEqualsOneHandWrittenPatchPerPoint() {
        RunDefinition<Object> run = RunDefinition.builder("residByPosition")
                .intervention(new Patching("hook_resid_pre", Selection.everyIndex(), Selection.everyIndex(),
                        Selection.none(), "clean", "corrupted"))
                .plot(PlotKind.AUTO, "")
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        RunOutcome outcome = run(experiment(CLEAN, CORRUPTED, run), "residByPosition");
        assertEquals(List.of(new SweepAxis("layer", List.of(0, 1)),
                new SweepAxis("position", List.of(0, 1, 2, 3, 4, 5))), outcome.axes());
        assertEquals(14, outcome.record().timings().forwardPasses(),
                "the clean pass, the base pass, then one pass per point: no two start at the same layer and position");
        double[][] grid = outcome.grid();
        boolean anyMoved = false;
        double corrupted = handPatched(-1, -1);
        for (int layer = 0; layer < 2; layer++) {
            for (int position = 0; position < 6; position++) {
                double expected = handPatched(layer, position);
                assertEquals(expected, grid[layer][position], TOLERANCE, "layer " + layer + ", position " + position);
                anyMoved |= Math.abs(expected - corrupted) > 1e-3;
            }
        }
        assertTrue(anyMoved, () -> "some patch moves the metric from " + corrupted + ": "
                + java.util.Arrays.deepToString(grid));
        assertEquals(PlotKind.HEATMAP, outcome.plot().orElseThrow().kind());
    }

    @Test
    void patchingHeadsAtSweptPositionsWritesOnlyThoseHeads() {
        RunDefinition<Object> run = RunDefinition.builder("headAtPosition")
                .intervention(new Patching("blocks.1.attn.hook_z", Selection.none(), Selection.sweep(2, -1),
                        Selection.of(1), "clean", "corrupted"))
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        RunOutcome outcome = run(experiment(CLEAN, CORRUPTED, run), "headAtPosition");
        assertEquals(List.of(new SweepAxis("position", List.of(2, -1))), outcome.axes());
        String hook = "blocks.1.attn.hook_z";
        float[] clean;
        try (ForwardResult result = model.runWithCache(CLEAN, hook)) {
            clean = result.cache().get(hook).toFloatArray();
        }
        int[] positions = {2, 5};
        for (int point = 0; point < 2; point++) {
            int position = positions[point];
            double expected;
            try (ForwardResult result = model.run(CORRUPTED, RunOptions.none().withHook(hook, (activation, context) -> {
                float[] values = activation.toFloatArray();
                long[] shape = activation.getShape().getShape();
                int heads = (int) shape[2];
                int dHead = (int) shape[3];
                for (int row = 0; row < shape[0]; row++) {
                    int offset = (int) (((row * shape[1] + position) * heads + 1) * dHead);
                    System.arraycopy(clean, offset, values, offset, dHead);
                }
                return context.scope().create(values, new Shape(shape));
            }))) {
                expected = Metrics.lastLogitDiff(result.logits());
            }
            assertEquals(expected, outcome.vector()[point], TOLERANCE, "position " + position);
        }
    }

    @Test
    void patchingBetweenInputsOfDifferentShapesIsATypedError() {
        TokenBatch shorter = TokenBatch.of(new long[] {5, 17, 3, 99, 42}, new long[] {1, 2, 3, 4, 5});
        RunDefinition<Object> run = RunDefinition.builder("mismatched")
                .intervention(new Patching("hook_resid_pre", Selection.of(0), Selection.none(), Selection.none(),
                        "clean", "corrupted"))
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        ExperimentRunException error = assertThrows(ExperimentRunException.class,
                () -> run(experiment(CLEAN, shorter, run), "mismatched"));
        assertTrue(error.getMessage().contains("'clean' (2 rows of 6 tokens)"), error.getMessage());
        assertTrue(error.getMessage().contains("'corrupted' (2 rows of 5 tokens)"), error.getMessage());
    }

    @Test
    void aPositionBeyondTheInputIsATypedErrorBeforeAnyPass() {
        RunDefinition<Object> run = RunDefinition.builder("tooFar")
                .intervention(new Patching("hook_resid_pre", Selection.of(0), Selection.of(20), Selection.none(),
                        "clean", "corrupted"))
                .invoker((experiment, context) -> {
                    throw new AssertionError("never called");
                });
        ExperimentRunException error = assertThrows(ExperimentRunException.class,
                () -> run(experiment(CLEAN, CORRUPTED, run), "tooFar"));
        assertTrue(error.getMessage().contains("position 20 does not exist in input 'corrupted' of 6 tokens"),
                error.getMessage());
    }

    /** The metric of the corrupted run with the clean resid_pre written at one (layer, position); -1 for none. */
    private static double handPatched(int layer, int position) {
        if (layer < 0) {
            try (ForwardResult result = model.forward(CORRUPTED)) {
                return Metrics.lastLogitDiff(result.logits());
            }
        }
        String hook = "blocks." + layer + ".hook_resid_pre";
        float[] clean;
        try (ForwardResult result = model.runWithCache(CLEAN, hook)) {
            clean = result.cache().get(hook).toFloatArray();
        }
        try (ForwardResult result = model.run(CORRUPTED, RunOptions.none().withHook(hook, (activation, context) -> {
            float[] values = activation.toFloatArray();
            long[] shape = activation.getShape().getShape();
            int width = (int) shape[2];
            for (int row = 0; row < shape[0]; row++) {
                int offset = (int) ((row * shape[1] + position) * width);
                System.arraycopy(clean, offset, values, offset, width);
            }
            return context.scope().create(values, new Shape(shape));
        }))) {
            return Metrics.lastLogitDiff(result.logits());
        }
    }
}
