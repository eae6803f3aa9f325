package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** The unembedded output, {@code [batch, pos, d_vocab]}. */
public final class Logits extends Activation {

    public Logits(NDArray array) {
        super(array, 3);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.LOGITS;
    }

    /** The logits over the vocabulary at one example and position; a negative position counts from the end. */
    public float[] at(int batch, int position) {
        return vectorAt(batch, position);
    }

    /** {@code logit(tokenA) - logit(tokenB)} at one example and position (negative counts from the end). */
    public float logitDiff(int batch, int position, int tokenA, int tokenB) {
        float[] logits = at(batch, position);
        if (tokenA < 0 || tokenA >= logits.length || tokenB < 0 || tokenB >= logits.length) {
            throw new IndexOutOfBoundsException("tokens " + tokenA + " and " + tokenB + " must be in the vocabulary"
                    + " (0.." + (logits.length - 1) + ")");
        }
        return logits[tokenA] - logits[tokenB];
    }
}
