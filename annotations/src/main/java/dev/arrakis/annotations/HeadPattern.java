package dev.arrakis.annotations;

/** The attention patterns TransformerLens's {@code detect_head} names, each a 0/1 pattern per sequence. */
public enum HeadPattern {
    /** Each query attends to the token before it: (i, i-1). */
    PREVIOUS_TOKEN,
    /** Each query attends to earlier copies of its own token: (i, j) for j < i with token j = token i. */
    DUPLICATE_TOKEN,
    /** Each query attends to the token after an earlier copy of its own token: (i, j) with token j-1 = token i. */
    INDUCTION
}
