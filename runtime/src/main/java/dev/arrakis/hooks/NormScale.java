package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** A normalisation's divisor, {@code [batch, pos, 1]}. */
public final class NormScale extends Activation {

    public NormScale(NDArray array) {
        super(array, 3);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.NORM_SCALE;
    }
}
