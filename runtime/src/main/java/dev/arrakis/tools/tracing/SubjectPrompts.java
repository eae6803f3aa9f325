package dev.arrakis.tools.tracing;

import dev.arrakis.experiment.ModelInput;
import dev.arrakis.model.TokenBatch;
import java.util.Arrays;
import java.util.List;

/**
 * Prompts for causal tracing: each with the positions of its subject (the tokens whose embeddings are corrupted) and
 * the answer token whose probability at the last position is traced. The input defines the positions, so a prompt set
 * whose subject moves from prompt to prompt needs no annotation change.
 *
 * @param prompts token ids, all of one length (the heat map has one column per position)
 * @param subjects the subject's positions in each prompt, at least one each
 * @param answers the answer token of each prompt
 */
public record SubjectPrompts(List<long[]> prompts, int[][] subjects, long[] answers) implements ModelInput {

    public SubjectPrompts {
        prompts = prompts.stream().map(long[]::clone).toList();
        subjects = Arrays.stream(subjects).map(int[]::clone).toArray(int[][]::new);
        answers = answers.clone();
        if (prompts.isEmpty()) {
            throw new TracingException("causal tracing needs at least one prompt");
        }
        if (subjects.length != prompts.size() || answers.length != prompts.size()) {
            throw new TracingException("causal tracing needs one subject and one answer per prompt: got "
                    + prompts.size() + " prompts, " + subjects.length + " subjects, " + answers.length + " answers");
        }
        int length = prompts.get(0).length;
        for (int prompt = 0; prompt < prompts.size(); prompt++) {
            if (prompts.get(prompt).length != length) {
                throw new TracingException("causal tracing needs prompts of one length: prompt " + prompt + " has "
                        + prompts.get(prompt).length + " tokens, prompt 0 has " + length);
            }
            if (subjects[prompt].length == 0) {
                throw new TracingException("prompt " + prompt + " has no subject position to corrupt");
            }
            for (int position : subjects[prompt]) {
                if (position < 0 || position >= length) {
                    throw new TracingException("subject position " + position + " of prompt " + prompt
                            + " is outside its " + length + " tokens (0.." + (length - 1) + ")");
                }
            }
        }
    }

    @Override
    public List<long[]> prompts() {
        return prompts.stream().map(long[]::clone).toList();
    }

    @Override
    public int[][] subjects() {
        return Arrays.stream(subjects).map(int[]::clone).toArray(int[][]::new);
    }

    @Override
    public long[] answers() {
        return answers.clone();
    }

    public int size() {
        return prompts.size();
    }

    public int length() {
        return prompts.get(0).length;
    }

    long[] prompt(int index) {
        return prompts.get(index);
    }

    int[] subject(int index) {
        return subjects[index];
    }

    long answer(int index) {
        return answers[index];
    }

    @Override
    public TokenBatch tokens() {
        return TokenBatch.of(prompts.toArray(long[][]::new));
    }
}
