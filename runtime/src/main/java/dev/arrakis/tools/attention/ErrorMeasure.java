package dev.arrakis.tools.attention;

/** How {@link HeadDetector} compares a head's attention with a {@link DetectionPattern}, as TransformerLens does. */
public enum ErrorMeasure {
    /**
     * The share of the head's attention that falls where the detection pattern is 1: {@code Σ(A ⊙ D) / Σ A} over the
     * whole {@code [query][key]} matrix, in {@code [0, 1]}. TransformerLens's default {@code "mul"}.
     */
    MUL,
    /**
     * One minus the mean absolute difference per query: {@code 1 - Σ|A - D| / n} for {@code n} tokens, in
     * {@code [-1, 1]}, 1 a perfect match. TransformerLens's {@code "abs"}, which also rounds it to 3 decimals; this
     * one does not round.
     */
    ABS
}
