package dev.arrakis.engine;

import static dev.arrakis.engine.BaseRunReuseFamiliesTest.logits;
import static dev.arrakis.engine.ReuseComparison.assertPointsDiffer;
import static dev.arrakis.engine.ReuseComparison.assertSameValues;
import static dev.arrakis.engine.ReuseComparison.runBoth;
import static dev.arrakis.engine.ReuseComparison.work;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.Residual;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Selection;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Base-run reuse on the tiny GPT-2 (2 layers, 4 heads): the work each run does, counted by hand, what turns reuse
 * off or limits it to layers, edits whose position axis is shifted, and native memory.
 *
 * <p>Work is blocks run x rows x positions computed. With batch B = 2 and S = 6 tokens a full pass is
 * 2 x 2 x 6 = 24; a point starting at block l and position p costs (2 - l) x (6 - p) x 2.
 */
class BaseRunReuseTest extends TinyModelTest {
    private static final TokenBatch CLEAN = TokenBatch.of(
            new long[] {5, 17, 3, 99, 42, 7}, new long[] {1, 2, 3, 4, 5, 6});
    private static final TokenBatch CORRUPTED = TokenBatch.of(
            new long[] {5, 17, 200, 99, 42, 7}, new long[] {1, 2, 3, 150, 5, 6});
    private static final int FULL_PASS = 2 * 2 * 6;

    private static TestDefinition experiment(RunDefinition<Object> run) {
        return TestDefinition.named("Reuse").input("clean", CLEAN).input("corrupted", CORRUPTED).run(run);
    }

    private static RunOutcome[] compared(RunDefinition<Object> run) {
        RunOutcome[] outcomes = runBoth(model, experiment(run), run.name(), RunnerOptions.defaults());
        assertSameValues(run.name(), outcomes[0], outcomes[1]);
        assertPointsDiffer(run.name(), outcomes[1]);
        return outcomes;
    }

    @Test
    void aResidPreGridComputesOnlyTheLayersAndPositionsEachPointCanChange() {
        RunOutcome[] outcomes = compared(logits("grid", "corrupted", new Patching("hook_resid_pre",
                Selection.everyIndex(), Selection.everyIndex(), Selection.none(), "clean", "corrupted")));
        long points = 0;
        for (int layer = 0; layer < 2; layer++) {
            for (int position = 0; position < 6; position++) {
                points += (2 - layer) * (6 - position) * 2;
            }
        }
        assertEquals(126, points, "the sum by hand: (2 + 1) x (6 + 5 + 4 + 3 + 2 + 1) x 2");
        long cleanAndBase = 2 * FULL_PASS;
        assertEquals(cleanAndBase + 126, work(outcomes[0]), "reused: clean pass, base pass and each point's rest");
        assertEquals(FULL_PASS + 12 * FULL_PASS, work(outcomes[1]), "not reused: clean pass and 12 full passes");
        assertEquals(14, outcomes[0].record().timings().forwardPasses(),
                "clean, base and one pass per point (no two points start at the same layer and position)");
    }

    @Test
    void headsOfOneLayerShareAPassThatStartsAtThatLayer() {
        RunOutcome[] outcomes = compared(logits("heads", "clean", new Ablation("attn.hook_z",
                Selection.everyIndex(), Selection.everyIndex(), Selection.none(), Selection.none(),
                AblationMethod.ZERO)));
        assertEquals(FULL_PASS + 4 * FULL_PASS + 4 * (1 * 6 * 2), work(outcomes[0]),
                "base pass, 4 heads of layer 0 from the embedding, 4 heads of layer 1 from block 1");
        assertEquals(8 * FULL_PASS, work(outcomes[1]));
        assertEquals(3, outcomes[0].record().timings().forwardPasses(), "base, layer 0's heads, layer 1's heads");
    }

    @Test
    void aLeftPaddedInputReusesLayersButNotPositions() {
        boolean[][] mask = {{false, false, true, true, true, true}, {true, true, true, true, true, true}};
        long[][] clean = {{0, 0, 3, 99, 42, 7}, {1, 2, 3, 4, 5, 6}};
        long[][] corrupted = {{0, 0, 200, 99, 42, 7}, {1, 2, 3, 150, 5, 6}};
        RunDefinition<Object> run = logits("padded", "corrupted", new Patching("hook_resid_pre",
                Selection.everyIndex(), Selection.everyIndex(), Selection.none(), "clean", "corrupted"));
        TestDefinition definition = TestDefinition.named("Padded")
                .input("clean", TokenBatch.withMask(clean, mask))
                .input("corrupted", TokenBatch.withMask(corrupted, mask))
                .run(run);
        RunOutcome[] outcomes = runBoth(model, definition, "padded", RunnerOptions.defaults());
        assertSameValues("padded", outcomes[0], outcomes[1]);
        assertPointsDiffer("padded", outcomes[1]);
        assertEquals(2 * FULL_PASS + 6 * (FULL_PASS + 1 * 6 * 2), work(outcomes[0]),
                "clean, base, then every position of each point from its layer on");
    }

    @Test
    void patternKeysAndScoresEditsAtLaterPositionsSeeShiftedMasks() {
        compared(logits("pattern", "corrupted", new Patching("attn.hook_pattern", Selection.everyIndex(),
                Selection.sweep(2, 4), Selection.of(1, 3), "clean", "corrupted")));
        compared(logits("keys", "corrupted", new Patching("attn.hook_k", Selection.everyIndex(),
                Selection.sweep(1, 3, 5), Selection.of(2), "clean", "corrupted")));
        RunOutcome[] scores = compared(logits("scores", "clean", new Ablation("attn.hook_attn_scores",
                Selection.everyIndex(), Selection.none(), Selection.none(), Selection.sweep(3, 5),
                AblationMethod.MEAN)));
        assertEquals(FULL_PASS + FULL_PASS + 2 * 3 * 2 + 2 * 1 * 2 + 1 * 3 * 2 + 1 * 1 * 2, work(scores[0]),
                "clean, base, then (2 - layer) x (6 - position) x 2 for layers 0, 1 and positions 3, 5");
    }

    @Test
    void rotatedKeysSeeEveryKeySoTheyReuseLayersOnly() {
        Path directory = Path.of("src/test/resources/reference/llama-gqa").toAbsolutePath();
        try (HookedTransformer llama = HookedTransformer.load(directory)) {
            RunDefinition<Object> run = logits("rotK", "corrupted", new Patching("attn.hook_rot_k",
                    Selection.everyIndex(), Selection.sweep(2, 4), Selection.none(), "clean", "corrupted"));
            TestDefinition definition = TestDefinition.named("Rotary")
                    .model(ModelSource.config(directory.resolve("config.json").toString()), llama.config())
                    .input("clean", CLEAN).input("corrupted", CORRUPTED).run(run);
            RunOutcome[] outcomes = runBoth(llama, definition, "rotK", RunnerOptions.defaults());
            assertSameValues("rotK", outcomes[0], outcomes[1]);
            assertPointsDiffer("rotK", outcomes[1]);
            int layers = llama.config().layers();
            assertEquals(2, layers, "llama-gqa's layers, which the count below assumes");
            assertEquals(2 * FULL_PASS + 2 * FULL_PASS + 2 * (1 * 6 * 2), work(outcomes[0]),
                    "clean, base, two points from the embedding, two from block 1, every position");
        }
    }

    @Test
    void runsThatCacheEverythingOrCaptureAnEarlierLayerAreFullPasses() {
        RunDefinition<Object> cachesAll = RunDefinition.builder("cachesAll").input("clean")
                .intervention(new Ablation("attn.hook_z", Selection.of(1), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .needsCache()
                .invoker((experiment, context) -> context.cache().get("blocks.0.hook_resid_post").sum().getFloat()
                        + Metrics.lastLogitDiff(context.logits()));
        assertEquals(4 * FULL_PASS, work(compared(cachesAll)[0]), "4 full passes: the cache holds layer 0 too");

        TypedHook<Residual> early = new TypedHook<>("blocks.0.hook_resid_post", Residual.class);
        RunDefinition<Object> capturesEarly = RunDefinition.builder("capturesEarly").input("clean")
                .intervention(new Ablation("attn.hook_z", Selection.of(1), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .capture(early)
                .invoker((experiment, context) -> context.capture(early).array().sum().getFloat()
                        + Metrics.lastLogitDiff(context.logits()));
        assertEquals(4 * FULL_PASS, work(runBoth(model, experiment(capturesEarly), "capturesEarly",
                RunnerOptions.defaults())[0]), "the capture at layer 0 needs layer 0 computed in each pass");

        TypedHook<AttentionPattern> late = new TypedHook<>("blocks.1.attn.hook_pattern", AttentionPattern.class);
        RunDefinition<Object> capturesLate = RunDefinition.builder("capturesLate").input("clean")
                .intervention(new Ablation("attn.hook_z", Selection.of(1), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .capture(late)
                .invoker((experiment, context) -> context.capture(late).head(0).sum().getFloat()
                        + Metrics.lastLogitDiff(context.logits()));
        assertEquals(FULL_PASS + 4 * (1 * 6 * 2), work(compared(capturesLate)[0]),
                "base pass, then block 1 only: the capture is at the layer the points start at");

        RunDefinition<Object> profiled = logits("profiled", "corrupted", new Patching("hook_resid_pre",
                Selection.of(1), Selection.everyIndex(), Selection.none(), "clean", "corrupted"));
        RunOutcome[] outcomes = runBoth(model, experiment(profiled), "profiled",
                RunnerOptions.defaults().withComponentProfile(true));
        assertSameValues("profiled", outcomes[0], outcomes[1]);
        assertEquals(FULL_PASS + 6 * FULL_PASS, work(outcomes[0]), "the profiler times whole passes");
    }

    @Test
    void aResumedSweepLeavesNoNativeArrayBehindEvenWhenItsMethodThrows() throws Exception {
        RunDefinition<Object> grid = logits("grid", "corrupted", new Patching("hook_resid_pre",
                Selection.everyIndex(), Selection.everyIndex(), Selection.none(), "clean", "corrupted"));
        AtomicInteger calls = new AtomicInteger();
        RunDefinition<Object> failing = RunDefinition.builder("failing").input("corrupted")
                .intervention(new Patching("hook_resid_pre", Selection.everyIndex(), Selection.everyIndex(),
                        Selection.none(), "clean", "corrupted"))
                .invoker((experiment, context) -> {
                    context.logits().array().add(1);
                    if (calls.incrementAndGet() == 9) {
                        throw new IllegalStateException("at the ninth point, layer 1 position 2");
                    }
                    return Metrics.lastLogitDiff(context.logits());
                });
        TestDefinition definition = TestDefinition.named("Memory").input("clean", CLEAN)
                .input("corrupted", CORRUPTED).run(grid).run(failing);
        Method managerOf = HookedTransformer.class.getDeclaredMethod("manager");
        managerOf.setAccessible(true);
        NDManager manager = (NDManager) managerOf.invoke(model);
        int weightsOnly = NativeResources.attachedCount(manager);
        try (ExperimentRunner runner = ExperimentRunner.open(definition, RunnerOptions.defaults().withModel(model))) {
            for (int repeat = 0; repeat < 2; repeat++) {
                calls.set(0);
                assertEquals(12, runner.run("grid").points());
                ExperimentRunException error = assertThrows(ExperimentRunException.class,
                        () -> runner.run("failing"));
                assertEquals(9, calls.get(), "the method ran until the ninth point: " + error.getMessage());
                assertEquals(weightsOnly, NativeResources.attachedCount(manager),
                        "arrays and scopes attached to the model's manager after round " + repeat);
            }
        }
    }
}
