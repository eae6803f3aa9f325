package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.spec.ActivationKind;

/**
 * An activation whose axes are known from its type (one subclass per {@link ActivationKind}). It is a view: the
 * array belongs to the pass that produced it and is freed with that pass's scope, and so are the arrays its
 * accessors return.
 */
public abstract sealed class Activation
        permits Residual, HeadVectors, AttentionPattern, Neurons, NormScale, HeadResults, Logits {
    /** Null for an activation computed on demand, whose subclass overrides {@link #array()}. */
    private final NDArray array;
    private final Shape shape;

    Activation(NDArray array, int rank) {
        this(array, array.getShape(), rank);
    }

    /** An activation of that shape whose values are computed on demand: the subclass overrides {@link #array()}. */
    Activation(Shape shape, int rank) {
        this(null, shape, rank);
    }

    private Activation(NDArray array, Shape shape, int rank) {
        if (shape.dimension() != rank) {
            throw new IllegalArgumentException(getClass().getSimpleName() + " needs " + rank + " axes, got " + shape);
        }
        this.array = array;
        this.shape = shape;
    }

    public NDArray array() {
        return array;
    }

    public abstract ActivationKind kind();

    /** The axis sizes, e.g. {@code [2, 4, 6, 6]} for a pattern of two examples, four heads and six tokens. */
    public long[] shape() {
        return shape.getShape();
    }

    /** The number of examples: the size of the leading batch axis every activation has. */
    public int batchSize() {
        return Math.toIntExact(shape.get(0));
    }

    /** Every value, row-major. */
    public float[] toFloatArray() {
        return array().toFloatArray();
    }

    /** The activation's value at one index, e.g. {@code get(0, 3, 5)}; there must be one index per axis. */
    public float get(long... index) {
        if (index.length != shape.dimension()) {
            throw new IllegalArgumentException(kind().typeName() + " has axes " + shape + "; got "
                    + index.length + " indices");
        }
        try (NDArray value = array().get(index)) {
            return value.getFloat();
        }
    }

    /** One slice along {@code axis}, checked so that a wrong index names the activation rather than DJL. */
    NDArray select(int axis, int index, String what) {
        long size = shape.get(axis);
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(what + " " + index + " does not exist in " + this + " (" + what
                    + "s 0.." + (size - 1) + ")");
        }
        return array().get(ai.djl.ndarray.index.NDIndex.sliceAxis(axis, index, index + 1)).squeeze(axis);
    }

    /** The vector at one example and position of a {@code [batch, pos, ...]} activation; negative positions count from the end. */
    float[] vectorAt(int batch, int position) {
        int resolved = resolvePosition(batch, position);
        try (NDArray vector = array().get(batch, resolved)) {
            return vector.toFloatArray();
        }
    }

    /** The position a possibly negative {@code position} names, checked together with {@code batch}. */
    int resolvePosition(int batch, int position) {
        long positions = shape.get(1);
        int resolved = position < 0 ? (int) (positions + position) : position;
        if (batch < 0 || batch >= shape.get(0) || resolved < 0 || resolved >= positions) {
            throw new IndexOutOfBoundsException("(" + batch + ", " + position + ") is outside " + this);
        }
        return resolved;
    }

    @Override
    public String toString() {
        return kind().typeName() + shape;
    }
}
