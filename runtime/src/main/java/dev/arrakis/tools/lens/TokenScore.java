package dev.arrakis.tools.lens;

/**
 * One token's standing in a distribution over the vocabulary.
 *
 * @param token the token id
 * @param text the token as the tokenizer decodes it alone, or {@code #id} when the model has no tokenizer
 * @param rank how many tokens have a strictly higher logit: 0 for the most likely, and tied tokens share a rank
 * @param logit its logit
 * @param probability its softmax probability
 */
public record TokenScore(long token, String text, int rank, float logit, float probability) {}
