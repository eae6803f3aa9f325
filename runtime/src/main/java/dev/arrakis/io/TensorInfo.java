package dev.arrakis.io;

import java.util.Arrays;
import java.util.Objects;

/**
 * Name, element type and shape of one stored tensor. The shape is copied in and out so that no caller can change a
 * description another caller relies on.
 */
public record TensorInfo(String name, SafetensorsDType dtype, long[] shape) {

    public TensorInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        Shapes.byteLength(shape, dtype);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    public long elementCount() {
        return Shapes.elementCount(shape);
    }

    public long byteLength() {
        return Shapes.byteLength(shape, dtype);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorInfo that
                && name.equals(that.name)
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "TensorInfo[name=" + name + ", dtype=" + dtype + ", shape=" + Arrays.toString(shape) + "]";
    }
}
