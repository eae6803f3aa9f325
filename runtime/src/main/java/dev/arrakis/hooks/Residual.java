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

    /** The vector at one example and position; a negative position counts from the end. */
    public float[] at(int batch, int position) {
        return vectorAt(batch, position);
    }
}
