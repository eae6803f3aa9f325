package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** The residual stream or something written into it, {@code [batch, pos, d_model]}. */
public final class Residual extends Activation {

    public Residual(NDArray array) {
        super(array, 3);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.RESIDUAL;
    }
}
