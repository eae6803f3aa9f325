package dev.arrakis.tools.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Hooks run at every step with TransformerLens's cached-step semantics, change what is generated as they would in a
 * hand-written loop of full forward passes, and stop tokens end rows. On {@code gpt2-prefixed}: d_model 64, 4 heads of
 * 16, context 32; its HF greedy continuation of the reference prompt is 128, 97, 126, 225, 225, 225.
 */
class GenerationHooksTest {
    private static HookedTransformer model;
    private static long[] prompt;
    private static List<long[]> batchPrompts;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory());
        try (SafetensorsFile reference = HfGenerateReferenceTest.open("gpt2-prefixed")) {
            prompt = reference.readLongs("prompt");
            batchPrompts = HfGenerateReferenceTest.unpadded(reference);
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void cachedStepsShowHooksOnlyTheNewPositionAndAttentionEveryKey() {
        List<String> residual = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> pattern = new ArrayList<>();
        List<float[]> positionEmbeddings = new ArrayList<>();
        RunOptions options = RunOptions.none()
                .withHook("blocks.0.hook_resid_pre", recordShape(residual))
                .withHook("blocks.0.attn.hook_k", recordShape(keys))
                .withHook("blocks.1.attn.hook_pattern", recordShape(pattern))
                .withHook("hook_pos_embed", (activation, context) -> {
                    positionEmbeddings.add(activation.get(new NDIndex("0, -1, :")).toFloatArray());
                    return activation;
                });
        Generator.generate(model, List.of(prompt), GenerationSettings.greedy(4), options, GenerationListener.NONE);
        // step 0 runs the 5 prompt tokens; steps 1..3 run one token each against 5, 6, 7 cached ones
        assertEquals(List.of("(1, 5, 64)", "(1, 1, 64)", "(1, 1, 64)", "(1, 1, 64)"), residual, "resid_pre shapes");
        assertEquals(List.of("(1, 5, 4, 16)", "(1, 1, 4, 16)", "(1, 1, 4, 16)", "(1, 1, 4, 16)"), keys,
                "hook_k shapes");
        assertEquals(List.of("(1, 4, 5, 5)", "(1, 4, 1, 6)", "(1, 4, 1, 7)", "(1, 4, 1, 8)"), pattern,
                "hook_pattern shapes");
        // the one new token of step s sits at absolute position 4 + s: its positional embedding is row 4 + s of W_pos
        for (int step = 0; step < 4; step++) {
            float[] expected = model.weights().positionEmbedding().get(4 + step).toFloatArray();
            assertArrayEquals(expected, positionEmbeddings.get(step), 0f, "pos_embed of step " + step);
        }
    }

    @Test
    void withoutACacheHooksSeeTheWholeSequenceEveryStep() {
        List<String> residual = new ArrayList<>();
        Generator.generate(model, List.of(prompt), GenerationSettings.greedy(3).withoutKeyValueCache(),
                RunOptions.none().withHook("blocks.0.hook_resid_pre", recordShape(residual)), GenerationListener.NONE);
        assertEquals(List.of("(1, 5, 64)", "(1, 6, 64)", "(1, 7, 64)"), residual, "resid_pre shapes without a cache");
    }

    @Test
    void aHookChangesGenerationAsAHandWrittenLoopOfFullPassesDoes() {
        Hook zeroAttention = (activation, context) -> activation.zerosLike();
        RunOptions ablated = RunOptions.none().withHook("blocks.0.hook_attn_out", zeroAttention);
        int steps = 6;
        long[] expected = greedyByHand(ablated, steps);
        long[] generated = Generator.generate(model, List.of(prompt), GenerationSettings.greedy(steps), ablated,
                GenerationListener.NONE).newTokens(0);
        assertArrayEquals(expected, generated, "hand loop " + Arrays.toString(expected) + " vs cached generation "
                + Arrays.toString(generated));
        long[] unhooked = {128, 97, 126, 225, 225, 225};
        assertFalse(Arrays.equals(unhooked, generated), "zeroing layer 0's attention left the output "
                + Arrays.toString(generated));
    }

    /** Greedy decoding the plainest way: rerun the whole sequence with the hooks, take the argmax, append. */
    private static long[] greedyByHand(RunOptions options, int steps) {
        long[] tokens = prompt.clone();
        for (int step = 0; step < steps; step++) {
            try (ForwardResult result = model.run(TokenBatch.of(tokens), options)) {
                NDArray last = result.logits().get(new NDIndex("0, -1, :"));
                long next = last.argMax().getLong();
                tokens = Arrays.copyOf(tokens, tokens.length + 1);
                tokens[tokens.length - 1] = next;
            }
        }
        return Arrays.copyOfRange(tokens, prompt.length, tokens.length);
    }

    @Test
    void aStopTokenEndsItsRowAndTheOthersContinue() {
        Generation single = Generator.generate(model, prompt, GenerationSettings.greedy(6).withStopTokens(126));
        assertArrayEquals(new long[] {128, 97, 126}, single.newTokens(0),
                "HF's 128, 97, 126, ... with stop token 126: " + Arrays.toString(single.newTokens(0)));
        assertEquals(Generation.Finish.STOP_TOKEN, single.finish(0), "finish of the single row");
        // HF's batch continuation: row 0 117, 345, 72, 72, 72, 72 and row 1 286, 286, 286, 53, 12, 12
        Generation batch = Generator.generate(model, batchPrompts, GenerationSettings.greedy(6).withStopTokens(53),
                RunOptions.none(), GenerationListener.NONE);
        assertArrayEquals(new long[] {117, 345, 72, 72, 72, 72}, batch.newTokens(0),
                "row 0 " + Arrays.toString(batch.newTokens(0)));
        assertEquals(Generation.Finish.MAX_NEW_TOKENS, batch.finish(0), "finish of row 0");
        assertArrayEquals(new long[] {286, 286, 286, 53}, batch.newTokens(1),
                "row 1 " + Arrays.toString(batch.newTokens(1)));
        assertEquals(Generation.Finish.STOP_TOKEN, batch.finish(1), "finish of row 1");
    }

    @Test
    void allRowsStoppedEndsGenerationEarly() {
        List<Integer> steps = new ArrayList<>();
        Generator.generate(model, List.of(prompt), GenerationSettings.greedy(6).withStopTokens(97),
                RunOptions.none(), step -> steps.add(step.index()));
        assertEquals(List.of(0, 1), steps, "steps run when the second token (97) stops the only row");
    }

    @Test
    void aGenerationLongerThanTheContextIsRefusedWithTheLongestThatFits() {
        // 5 prompt tokens + 29 new need 33 positions (the last token is never run): one more than the context of 32
        GenerationException error = assertThrows(GenerationException.class,
                () -> Generator.generate(model, prompt, GenerationSettings.greedy(29)));
        assertTrue(error.getMessage().contains("needs 33 positions but the model's context is 32; give maxNewTokens"
                + " <= 28"), error.getMessage());
        assertEquals(28, Generator.generate(model, prompt, GenerationSettings.greedy(28)).newTokens(0).length,
                "tokens generated at the longest that fits");
    }

    private static Hook recordShape(List<String> shapes) {
        return (activation, context) -> {
            shapes.add(activation.getShape().toString());
            return activation;
        };
    }
}
