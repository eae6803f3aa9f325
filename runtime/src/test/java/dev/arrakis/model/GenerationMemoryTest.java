package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.tools.generation.GenerationSettings;
import dev.arrakis.tools.generation.Generator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Native memory stays flat over 1,000 generated tokens, counted array by array: during a generation the model's
 * manager holds its weights plus the cache, whose only arrays are one key and one value tensor per layer, at every
 * step; after it, the weights alone.
 */
class GenerationMemoryTest {
    private static final int TOKENS = 1_000;
    private static final int PER_GENERATION = 25;

    /** GPT-2 (learned positions), and Gemma 2 for rotary tables, window masks and grouped keys. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-prefixed", "gemma2"})
    void thousandGeneratedTokensLeaveNoArrayBehind(String caseName) {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory())) {
            int weights = NativeResources.arraysUnder(model.manager());
            int cacheArrays = 2 * model.config().layers();
            // a hook that allocates in the pass's scope, as an intervention does
            RunOptions hooked = RunOptions.none().withHook("blocks.0.hook_resid_pre", (x, context) -> x.mul(1f));
            List<long[]> prompts = List.of(new long[] {5, 17, 3}, new long[] {9, 4});
            int generated = 0;
            while (generated < TOKENS) {
                Generator.generate(model, prompts, GenerationSettings.sampling(PER_GENERATION, 0.8, generated),
                        hooked, step -> assertEquals(weights + cacheArrays, NativeResources.arraysUnder(model.manager()),
                                "arrays under the model's manager at step " + step.index() + ": weights " + weights
                                        + " + " + cacheArrays + " cached keys and values"));
                generated += PER_GENERATION;
                assertEquals(weights, NativeResources.arraysUnder(model.manager()),
                        "arrays under the model's manager after " + generated + " tokens");
            }
        }
    }
}
