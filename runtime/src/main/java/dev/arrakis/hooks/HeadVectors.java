package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** Per-head vectors (queries, keys, values, mixed values), {@code [batch, pos, head, d_head]}. */
public final class HeadVectors extends Activation {

    public HeadVectors(NDArray array) {
        super(array, 4);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.HEAD_VECTORS;
    }
}
