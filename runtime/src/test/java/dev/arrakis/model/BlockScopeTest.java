package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.HookException;
import dev.arrakis.hooks.RunOptions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each block of a pass runs in a scope of its own: what a block computed is freed when it ends, except the residual
 * flowing on, so the arrays a pass holds do not grow with its depth; and nothing is left over after the pass.
 */
class BlockScopeTest {
    private static final TokenBatch BATCH = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7}, new long[] {1, 2, 3, 4, 5, 6});

    /**
     * Arrays alive in a GPT-2 pass (3 blocks) when each block starts, counted by a hook at its {@code hook_resid_pre}.
     * What the pass shares: the token ids (created from Java memory, then copied into libtorch's: 2), the token
     * embeddings gathered (1), the position ids (2 likewise), the position embeddings gathered (1). Then the block's
     * input (1): at block 0 the sum of both embeddings; at a later block the previous block's output, the one array
     * of it that survived. From block 1 on, the causal mask block 0 made for every block of the pass (8: key and query
     * indices and their reshapes, 4; the comparison, 1; the bias made from it: to f32, minus 1, times the lowest
     * finite value, 3; casting that to the activations' dtype, f32 here, is the same array). So 7 at block 0 and 15
     * at every later block.
     */
    @Test
    void arraysAliveWhenABlockStartsDoNotGrowWithDepth() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-hub-layout").directory())) {
            List<Integer> alive = new ArrayList<>();
            RunOptions counting = RunOptions.none();
            for (int layer = 0; layer < model.config().layers(); layer++) {
                counting = counting.withHook("blocks." + layer + ".hook_resid_pre", (activation, context) -> {
                    alive.add(NativeResources.arraysUnder(context.scope()));
                    return activation;
                });
            }
            try (ForwardResult pass = model.run(BATCH, counting)) {
                pass.lazyLogits().at(0, -1);
            }
            assertEquals(List.of(7, 15, 15), alive, "arrays alive in the pass when blocks 0, 1, 2 start");
        }
    }

    @Test
    void nothingIsLeftOverAfterAPassOrAHookThatThrows() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-hub-layout").directory())) {
            int weightsOnly = NativeResources.attachedCount(model.manager());
            try (ForwardResult pass = model.run(BATCH, RunOptions.none().withCache("blocks.1.attn.hook_pattern"))) {
                pass.lazyLogits().at(1, 2);
                pass.logits();
            }
            assertEquals(weightsOnly, NativeResources.attachedCount(model.manager()),
                    "arrays and scopes on the model's manager after a pass, vs the weights alone");
            RunOptions throwing = RunOptions.none().withCache("blocks.0.hook_mlp_out")
                    .withHook("blocks.1.attn.hook_pattern", (activation, context) -> {
                        throw new IllegalStateException("hook fails mid-block");
                    });
            assertThrows(HookException.class, () -> model.run(BATCH, throwing));
            assertEquals(weightsOnly, NativeResources.attachedCount(model.manager()),
                    "arrays and scopes on the model's manager after a hook threw, vs the weights alone");
        }
    }

    /** A hook's own return value flows on as it is: arrays of the block's scope belong to the pass, not copied. */
    @Test
    void anArrayOfTheBlockFlowsOnUncopied() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-hub-layout").directory())) {
            NDArray[] returned = new NDArray[1];
            NDArray[] received = new NDArray[1];
            RunOptions options = RunOptions.none()
                    .withHook("blocks.1.hook_mlp_out", (activation, context) -> {
                        returned[0] = activation.mul(2);
                        return returned[0];
                    })
                    .withHook("blocks.1.hook_mlp_out", (activation, context) -> {
                        received[0] = activation;
                        return activation;
                    });
            try (ForwardResult pass = model.run(BATCH, options)) {
                assertSame(returned[0], received[0], "what the second hook received is what the first returned");
            }
        }
    }
}
