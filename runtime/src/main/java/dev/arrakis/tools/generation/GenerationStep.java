package dev.arrakis.tools.generation;

/**
 * One decoding step as a {@link GenerationListener} sees it.
 *
 * @param index the step, from 0
 * @param logits each row's logits at its last position, the ones the token was chosen from, {@code [batch][d_vocab]}
 * @param tokens the token each row took; a row already finished takes the pad token
 * @param finished which rows have ended, this step's stop tokens included
 */
public record GenerationStep(int index, float[][] logits, long[] tokens, boolean[] finished) {}
