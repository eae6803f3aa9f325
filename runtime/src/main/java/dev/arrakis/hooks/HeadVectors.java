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

    /** One head's vectors (a key/value head at {@code hook_k}/{@code hook_v}), {@code [batch, pos, d_head]}. */
    public NDArray head(int head) {
        return select(2, head, "head");
    }
}
