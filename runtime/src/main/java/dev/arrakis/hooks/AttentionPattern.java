package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** Attention scores or pattern, {@code [batch, head, query_pos, key_pos]}. */
public final class AttentionPattern extends Activation {

    public AttentionPattern(NDArray array) {
        super(array, 4);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.ATTENTION;
    }
}
