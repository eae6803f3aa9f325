package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/**
 * An activation whose axes are known from its type (one subclass per {@link ActivationKind}). It is a view: the
 * array belongs to the pass that produced it and is freed with that pass's scope.
 */
public abstract sealed class Activation
        permits Residual, HeadVectors, AttentionPattern, Neurons, NormScale, HeadResults, Logits {
    private final NDArray array;

    Activation(NDArray array, int rank) {
        if (array.getShape().dimension() != rank) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs " + rank + " axes, got "
                    + array.getShape());
        }
        this.array = array;
    }

    public NDArray array() {
        return array;
    }

    public abstract ActivationKind kind();

    /** The activation's value at one index, e.g. {@code get(0, 3, 5)}; there must be one index per axis. */
    public float get(long... index) {
        if (index.length != array.getShape().dimension()) {
            throw new IllegalArgumentException(kind().typeName() + " has axes " + array.getShape() + "; got "
                    + index.length + " indices");
        }
        return array.get(index).getFloat();
    }

    @Override
    public String toString() {
        return kind().typeName() + array.getShape();
    }
}
