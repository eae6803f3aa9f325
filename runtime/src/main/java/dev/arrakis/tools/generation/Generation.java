package dev.arrakis.tools.generation;

import dev.arrakis.model.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * What a generation produced, row by row: the prompt as given (no padding), the new tokens (a stop token that ended
 * the row included) and why the row ended.
 */
public final class Generation {
    /** Why a row stopped. */
    public enum Finish {
        /** It generated one of the stop tokens. */
        STOP_TOKEN,
        /** It reached {@link GenerationSettings#maxNewTokens()}. */
        MAX_NEW_TOKENS
    }

    private final List<long[]> prompts;
    private final List<long[]> newTokens;
    private final List<Finish> finishes;

    Generation(List<long[]> prompts, List<long[]> newTokens, List<Finish> finishes) {
        this.prompts = prompts.stream().map(long[]::clone).toList();
        this.newTokens = newTokens.stream().map(long[]::clone).toList();
        this.finishes = List.copyOf(finishes);
    }

    public int rows() {
        return prompts.size();
    }

    public long[] prompt(int row) {
        return prompts.get(row).clone();
    }

    /** The generated tokens of a row, without its prompt. */
    public long[] newTokens(int row) {
        return newTokens.get(row).clone();
    }

    /** Prompt followed by the generated tokens. */
    public long[] tokens(int row) {
        long[] prompt = prompts.get(row);
        long[] added = newTokens.get(row);
        long[] all = Arrays.copyOf(prompt, prompt.length + added.length);
        System.arraycopy(added, 0, all, prompt.length, added.length);
        return all;
    }

    public Finish finish(int row) {
        return finishes.get(row);
    }

    /** The generated tokens of a row as text. */
    public String newText(int row, Tokenizer tokenizer) {
        return tokenizer.decode(newTokens.get(row));
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (int row = 0; row < rows(); row++) {
            text.append(Arrays.toString(prompts.get(row))).append(" -> ").append(Arrays.toString(newTokens.get(row)))
                    .append(" (").append(finishes.get(row)).append(")\n");
        }
        return text.toString();
    }
}
