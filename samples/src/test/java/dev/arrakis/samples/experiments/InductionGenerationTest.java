package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generation sample's counts equal greedy decoding written out by hand: for each prompt, rerun the whole sequence
 * (with a hook that zeroes layer 1's {@code hook_z} for the ablated run), take the argmax of the last position, append,
 * 30 times; then count the tokens that equal the prompt's token two further on.
 */
class InductionGenerationTest {
    private static HookedTransformer model;
    private static ExperimentRunner runner;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        runner = ExperimentRunner.open(ExperimentRegistry.load(InductionGenerationTest.class.getClassLoader())
                .find("InductionGeneration"), RunnerOptions.defaults().withModel(model));
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    @Test
    void intactAndAblatedCountsAreThoseOfAHandWrittenGreedyLoop() {
        TokenBatch prompts = new InductionGeneration().prompts();
        int intact = correctByHand(prompts, RunOptions.none());
        int ablated = correctByHand(prompts, RunOptions.none().withHook("blocks.1.attn.hook_z",
                (z, context) -> z.zerosLike()));
        String intactText = (String) runner.run("intact", Map.of()).values().get(0);
        String ablatedText = (String) runner.run("inductionHeadsAblated", Map.of()).values().get(0);
        assertTrue(intactText.startsWith(intact + " of 240 "), "by hand " + intact + ", sample: " + intactText);
        assertTrue(ablatedText.startsWith(ablated + " of 240 "), "by hand " + ablated + ", sample: " + ablatedText);
        assertTrue(intact > 4 * ablated, "ablating the induction heads should cost most of the copying: intact "
                + intact + ", ablated " + ablated);
    }

    private static int correctByHand(TokenBatch prompts, RunOptions options) {
        int correct = 0;
        for (int row = 0; row < prompts.batchSize(); row++) {
            long[] tokens = new long[prompts.sequenceLength()];
            for (int p = 0; p < tokens.length; p++) {
                tokens[p] = prompts.token(row, p);
            }
            long[] prompt = tokens.clone();
            for (int step = 0; step < InductionGeneration.NEW_TOKENS; step++) {
                try (ForwardResult pass = model.run(TokenBatch.of(tokens), options)) {
                    long next = pass.logits().get(new NDIndex("0, -1, :")).argMax().getLong();
                    correct += next == prompt[step + InductionGeneration.GIVEN] ? 1 : 0;
                    tokens = Arrays.copyOf(tokens, tokens.length + 1);
                    tokens[tokens.length - 1] = next;
                }
            }
        }
        return correct;
    }
}
