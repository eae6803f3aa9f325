package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Selection;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/** A run leaves the model's native memory exactly as it found it, whether it succeeds or its method throws. */
class EngineMemoryTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(new long[] {5, 17, 3, 99, 42}, new long[] {1, 2, 3, 4, 5});

    /** The model's own manager (package-private in the model package), to count what is attached to it. */
    private static NDManager managerOf(HookedTransformer model) throws ReflectiveOperationException {
        Method manager = HookedTransformer.class.getDeclaredMethod("manager");
        manager.setAccessible(true);
        return (NDManager) manager.invoke(model);
    }

    private static final TypedHook<AttentionPattern> PATTERN =
            new TypedHook<>("blocks.1.attn.hook_pattern", AttentionPattern.class);

    @Test
    void sweepsWithCachesClean() throws Exception {
        RunDefinition<Object> sweep = RunDefinition.builder("everything")
                .intervention(new Ablation("", Selection.everyIndex(), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.MEAN))
                .capture(PATTERN)
                .needsCache()
                .invoker((experiment, context) -> {
                    context.cache().get("blocks.0.hook_resid_post").mul(2).sum();
                    AttentionPattern pattern = context.capture(PATTERN);
                    return pattern.head(0).sum().getFloat() + Metrics.lastLogitDiff(context.logits());
                });
        RunDefinition<Object> patch = RunDefinition.builder("patch")
                .intervention(new Patching("hook_resid_mid", Selection.everyIndex(), Selection.everyIndex(),
                        Selection.none(), "prompts", "prompts"))
                .invoker((experiment, context) -> context.logits());
        RunDefinition<Object> failing = RunDefinition.builder("failing")
                .intervention(new Ablation("", Selection.everyIndex(), Selection.of(1), Selection.none(),
                        Selection.none(), AblationMethod.RESAMPLE))
                .invoker((experiment, context) -> {
                    context.logits().array().add(1);
                    throw new IllegalStateException("after making arrays");
                });
        TestDefinition definition = TestDefinition.named("Memory").input("prompts", PROMPTS)
                .run(sweep).run(patch).run(failing);
        try (HookedTransformer model = HookedTransformer.load(TestDefinition.CHECKPOINT);
                ExperimentRunner runner = ExperimentRunner.open(definition,
                        RunnerOptions.defaults().withModel(model).withMaxRowsPerPass(6))) {
            NDManager manager = managerOf(model);
            int weightsOnly = NativeResources.attachedCount(manager);
            for (int repeat = 0; repeat < 3; repeat++) {
                assertEquals(8, runner.run("everything").points());
                assertEquals(10, runner.run("patch").points());
                assertThrows(ExperimentRunException.class, () -> runner.run("failing"));
                assertEquals(weightsOnly, NativeResources.attachedCount(manager),
                        "arrays and scopes attached to the model's manager after run " + repeat);
            }
        }
    }
}
