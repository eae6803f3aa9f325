package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** Each head's output in the residual basis, {@code [batch, pos, head, d_model]}. */
public final class HeadResults extends Activation {

    public HeadResults(NDArray array) {
        super(array, 4);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.HEAD_RESULTS;
    }

    /** One head's output, {@code [batch, pos, d_model]}. */
    public NDArray head(int head) {
        return select(2, head, "head");
    }
}
