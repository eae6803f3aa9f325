package dev.arrakis.samples.experiments;

import dev.arrakis.experiment.ModelInput;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.TokenBatch;
import java.util.List;

/**
 * Prompts with a correct and a distractor answer token each, the shape of most circuit experiments (IOI, greater-than,
 * docstring): the metric is how much more the model prefers the correct answer at the last position.
 *
 * @param prompts token ids, all of one length
 * @param correct the correct answer token per prompt
 * @param distractor the distractor token per prompt
 */
public record PromptPairs(List<long[]> prompts, long[] correct, long[] distractor) implements ModelInput {

    public PromptPairs {
        prompts = List.copyOf(prompts);
        if (prompts.isEmpty() || correct.length != prompts.size() || distractor.length != prompts.size()) {
            throw new IllegalArgumentException("one correct and one distractor token per prompt");
        }
    }

    /**
     * A sequence of random tokens followed by its own beginning: a model that copies (an induction circuit) should
     * predict the token that followed the repeated one the first time.
     */
    public static PromptPairs repeatedSequences(int count, int length, int vocab, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<long[]> prompts = new java.util.ArrayList<>();
        long[] correct = new long[count];
        long[] distractor = new long[count];
        for (int i = 0; i < count; i++) {
            long[] tokens = new long[2 * length];
            for (int t = 0; t < length; t++) {
                tokens[t] = random.nextInt(vocab);
                tokens[t + length] = tokens[t];
            }
            long[] prompt = java.util.Arrays.copyOf(tokens, 2 * length - 1);
            prompts.add(prompt);
            correct[i] = tokens[2 * length - 1];
            distractor[i] = (correct[i] + 1 + random.nextInt(vocab - 1)) % vocab;
        }
        return new PromptPairs(prompts, correct, distractor);
    }

    /** The same prompts with the repeated half replaced by fresh tokens: the corrupted run of a patching experiment. */
    public PromptPairs withFreshSecondHalf(int vocab, long seed) {
        java.util.Random random = new java.util.Random(seed);
        List<long[]> corrupted = new java.util.ArrayList<>();
        for (long[] prompt : prompts) {
            long[] copy = prompt.clone();
            for (int t = (prompt.length + 1) / 2; t < prompt.length; t++) {
                copy[t] = random.nextInt(vocab);
            }
            corrupted.add(copy);
        }
        return new PromptPairs(corrupted, correct, distractor);
    }

    /** The other prompts' tokens with these answers: the corrupted run is scored on the clean run's answers. */
    public PromptPairs withTokensOf(PromptPairs other) {
        return new PromptPairs(other.prompts, correct, distractor);
    }

    @Override
    public TokenBatch tokens() {
        return TokenBatch.of(prompts.toArray(long[][]::new));
    }

    /** Mean over prompts of logit(correct) - logit(distractor) at the last position. */
    public double meanLogitDiff(Logits logits) {
        int last = prompts.get(0).length - 1;
        double sum = 0;
        for (int i = 0; i < prompts.size(); i++) {
            sum += logits.get(i, last, correct[i]) - logits.get(i, last, distractor[i]);
        }
        return sum / prompts.size();
    }
}
