package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/**
 * An activation whose axes are known from its type (one subclass per {@link ActivationKind}). It is a view: the
 * array belongs to the pass that produced it and is freed with that pass's scope, and so are the arrays its
 * accessors return.
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

    /** The axis sizes, e.g. {@code [2, 4, 6, 6]} for a pattern of two examples, four heads and six tokens. */
    public long[] shape() {
        return array.getShape().getShape();
    }

    /** The number of examples: the size of the leading batch axis every activation has. */
    public int batchSize() {
        return Math.toIntExact(array.getShape().get(0));
    }

    /** Every value, row-major. */
    public float[] toFloatArray() {
        return array.toFloatArray();
    }

    /** The activation's value at one index, e.g. {@code get(0, 3, 5)}; there must be one index per axis. */
    public float get(long... index) {
        if (index.length != array.getShape().dimension()) {
            throw new IllegalArgumentException(kind().typeName() + " has axes " + array.getShape() + "; got "
                    + index.length + " indices");
        }
        try (NDArray value = array.get(index)) {
            return value.getFloat();
        }
    }

    /** One slice along {@code axis}, checked so that a wrong index names the activation rather than DJL. */
    NDArray select(int axis, int index, String what) {
        long size = array.getShape().get(axis);
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(what + " " + index + " does not exist in " + this + " (" + what
                    + "s 0.." + (size - 1) + ")");
        }
        return array.get(ai.djl.ndarray.index.NDIndex.sliceAxis(axis, index, index + 1)).squeeze(axis);
    }

    /** The vector at one example and position of a {@code [batch, pos, ...]} activation; negative positions count from the end. */
    float[] vectorAt(int batch, int position) {
        long positions = array.getShape().get(1);
        int resolved = position < 0 ? (int) (positions + position) : position;
        if (batch < 0 || batch >= array.getShape().get(0) || resolved < 0 || resolved >= positions) {
            throw new IndexOutOfBoundsException("(" + batch + ", " + position + ") is outside " + this);
        }
        try (NDArray vector = array.get(batch, resolved)) {
            return vector.toFloatArray();
        }
    }

    @Override
    public String toString() {
        return kind().typeName() + array.getShape();
    }
}
