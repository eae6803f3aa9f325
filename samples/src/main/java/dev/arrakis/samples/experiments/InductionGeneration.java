package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Ablate;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Generate;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogExperiment;
import dev.arrakis.annotations.Run;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.generation.Generation;
import dev.arrakis.train.InductionTask;
import java.util.Locale;

/**
 * Generation with and without induction. The model is {@code models/induction-2l}, two attention-only layers trained
 * on random tokens that end in a repeated segment; its layer-1 heads are induction heads (sample
 * {@code InductionHeads}). Each of eight prompts is 32 uniformly random tokens followed by the first two of them again
 * (34 tokens); the model then generates 30 tokens greedily, with a key/value cache, and we count how many equal the
 * tokens 2..31 of the first half, which only copying from the context can predict (chance: 1 in 64). Two tokens of
 * the repeat, not one: the model was trained with filler before the segment, and on a segment that starts the
 * sequence it often mispredicts the first repeated token, after which greedy decoding copies from the wrong place
 * (given one token, 126 of 248 generated tokens were right). We generate
 * again with all four layer-1 heads zero-ablated at {@code attn.hook_z} at every step, every position included (an
 * experiment's interventions make each step rerun the whole sequence). Temperature 0: the results are exact.
 */
@Experiment(config = "models/induction-2l/config.json")
@LogExperiment
public class InductionGeneration {
    static final int PROMPTS = 8;
    static final int HALF = 32;
    static final int VOCAB = 64;
    /** Tokens of the repeat the prompt already holds; the model generates the rest of it. */
    static final int GIVEN = 2;
    static final int NEW_TOKENS = HALF - GIVEN;

    /** Eight sequences of 32 random tokens repeated, cut after the first two tokens of the repeat. */
    @Input
    TokenBatch prompts() {
        TokenBatch repeated = InductionTask.repeatedHalves(VOCAB, 2 * HALF).batches(PROMPTS, 9).next();
        long[][] rows = new long[PROMPTS][HALF + GIVEN];
        for (int row = 0; row < PROMPTS; row++) {
            for (int position = 0; position < HALF + GIVEN; position++) {
                rows[row][position] = repeated.token(row, position);
            }
        }
        return TokenBatch.of(rows);
    }

    /** How many generated tokens, over all prompts, repeat the first half: token i against prompt token i + 2. */
    static int repeatedCorrectly(Generation generation) {
        int correct = 0;
        for (int row = 0; row < generation.rows(); row++) {
            long[] prompt = generation.prompt(row);
            long[] generated = generation.newTokens(row);
            for (int i = 0; i < generated.length; i++) {
                correct += generated[i] == prompt[i + GIVEN] ? 1 : 0;
            }
        }
        return correct;
    }

    static String summary(Generation generation) {
        int correct = repeatedCorrectly(generation);
        int total = generation.rows() * NEW_TOKENS;
        return String.format(Locale.ROOT, "%d of %d generated tokens repeat the first half (%.1f%%); prompt 0 goes on"
                + " %s", correct, total, 100.0 * correct / total, java.util.Arrays.toString(generation.newTokens(0)));
    }

    @Run
    String intact(@Generate(maxNewTokens = NEW_TOKENS) Generation generation) {
        return summary(generation);
    }

    @Ablate(layer = 1, head = {0, 1, 2, 3})
    @Run
    String inductionHeadsAblated(@Generate(maxNewTokens = NEW_TOKENS) Generation generation) {
        return summary(generation);
    }
}
