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
}
