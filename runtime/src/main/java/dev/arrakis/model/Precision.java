package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * The floating-point type a model's weights and activations are computed in. Checkpoints are always decoded to f32
 * first; {@link #F16} then halves memory at the cost of accuracy (measured in {@code docs/models.md}). There is no
 * BF16: libtorch 2.7.1 under DJL 0.36 aborts the JVM when a BF16 array is created.
 */
public enum Precision {
    /** Single precision: matches HF transformers to about 1e-6 on the reference models. */
    F32(DataType.FLOAT32, -Float.MAX_VALUE),
    /** Half precision (IEEE binary16); norms and the attention softmax are still computed in f32. */
    F16(DataType.FLOAT16, -65504f);

    private final DataType dataType;
    private final float lowestFinite;

    Precision(DataType dataType, float lowestFinite) {
        this.dataType = dataType;
        this.lowestFinite = lowestFinite;
    }

    public DataType dataType() {
        return dataType;
    }

    public boolean isReduced() {
        return this != F32;
    }

    /** The most negative finite value, HF's attention mask value ({@code torch.finfo(dtype).min}). */
    float lowestFinite() {
        return lowestFinite;
    }

    /** An f32 intermediate cast back to this precision. */
    NDArray narrow(NDArray value) {
        return isReduced() ? value.toType(dataType, false) : value;
    }

    /** An activation cast up to f32 for a computation that needs the range or precision. */
    NDArray widen(NDArray value) {
        return isReduced() ? value.toType(DataType.FLOAT32, false) : value;
    }
}
