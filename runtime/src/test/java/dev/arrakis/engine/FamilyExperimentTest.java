package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Selection;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The experiment engine on families other than GPT-2: a head-ablation sweep, whose points the engine stacks into
 * one batched pass, equals a hand-written run per head, under grouped-query attention, sliding windows, soft-caps,
 * post-norms and parallel blocks.
 */
class FamilyExperimentTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(
            new long[] {5, 17, 3, 99, 42, 7, 11, 200}, new long[] {1, 2, 3, 4, 5, 6, 7, 8});

    @ParameterizedTest
    @ValueSource(strings = {"mistral-sliding", "gemma2", "gpt-neox-parallel", "phi3"})
    void headSweepInOneBatchedPassEqualsOneRunPerHead(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        try (HookedTransformer model = HookedTransformer.load(reference.directory())) {
            RunDefinition<Object> sweep = RunDefinition.builder("eachHead")
                    .intervention(new Ablation("", Selection.everyIndex(), Selection.everyIndex(), Selection.none(),
                            Selection.none(), AblationMethod.ZERO))
                    .plot(PlotKind.AUTO, "")
                    .resultType("double")
                    .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
            TestDefinition definition = TestDefinition.named("Heads")
                    .model(ModelSource.config(reference.directory().resolve("config.json").toString()),
                            model.config())
                    .input("prompts", PROMPTS)
                    .run(sweep);
            RunOutcome outcome;
            try (ExperimentRunner runner = ExperimentRunner.open(definition,
                    RunnerOptions.defaults().withModel(model))) {
                outcome = runner.run("eachHead");
            }
            int layers = model.config().layers();
            int heads = model.config().heads();
            assertEquals(1 + layers, outcome.record().timings().forwardPasses(),
                    "the base pass, then one batched pass per layer, starting at that layer");
            double clean = handRun(model, RunOptions.none());
            boolean someHeadMatters = false;
            for (int layer = 0; layer < layers; layer++) {
                for (int head = 0; head < heads; head++) {
                    double expected = handRun(model, RunOptions.none()
                            .withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(head)));
                    assertEquals(expected, outcome.grid()[layer][head], 1e-5, caseName + " L" + layer + "H" + head);
                    someHeadMatters |= Math.abs(expected - clean) > 1e-3;
                }
            }
            assertTrue(someHeadMatters, "ablating some head changes the metric " + clean + ": "
                    + java.util.Arrays.deepToString(outcome.grid()));
            assertEquals(List.of(layers, heads), List.of(outcome.grid().length, outcome.grid()[0].length));
        }
    }

    private static double handRun(HookedTransformer model, RunOptions options) {
        try (ForwardResult result = model.run(PROMPTS, options)) {
            return Metrics.lastLogitDiff(result.logits());
        }
    }
}
