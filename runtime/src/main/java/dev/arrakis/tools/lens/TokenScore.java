package dev.arrakis.tools.lens;

import dev.arrakis.plot.TokenText;
import java.util.Locale;

/**
 * One token's standing in a distribution over the vocabulary.
 *
 * @param token the token id
 * @param text the token as the tokenizer decodes it alone, or {@code #id} when the model has no tokenizer
 * @param rank how many tokens have a strictly higher logit: 0 for the most likely, and tied tokens share a rank
 * @param logit its logit
 * @param probability its softmax probability
 */
public record TokenScore(long token, String text, int rank, float logit, float probability) {

    /** The token as {@link TokenText#display} shows it, then its id, rank, logit and probability. */
    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%d): rank %d, logit %.2f, p %.4f", TokenText.display(text), token, rank,
                logit, probability);
    }
}
