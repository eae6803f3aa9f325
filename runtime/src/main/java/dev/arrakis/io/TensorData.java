package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to be written: dtype, shape and its raw little-endian bytes. The bytes are shared, not copied, so a
 * checkpoint never needs twice its size in memory; the remaining bytes of {@code data} when constructed are the tensor.
 */
public record TensorData(SafetensorsDType dtype, long[] shape, ByteBuffer data) {

    public TensorData {
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        long needed = Shapes.byteLength(shape, dtype);
        if (data.remaining() != needed) {
            throw new ArrakisException("Tensor data holds " + data.remaining() + " bytes, but shape "
                    + Arrays.toString(shape) + " of " + dtype + " needs " + needed);
        }
        // A private view: later moves of the caller's position or limit cannot change what gets written.
        data = data.slice().asReadOnlyBuffer();
    }

    public static TensorData f32(long[] shape, float[] values) {
        ByteBuffer bytes = allocate(shape, values.length, SafetensorsDType.F32);
        bytes.asFloatBuffer().put(values);
        return new TensorData(SafetensorsDType.F32, shape, bytes);
    }

    public static TensorData f64(long[] shape, double[] values) {
        ByteBuffer bytes = allocate(shape, values.length, SafetensorsDType.F64);
        bytes.asDoubleBuffer().put(values);
        return new TensorData(SafetensorsDType.F64, shape, bytes);
    }

    public static TensorData i64(long[] shape, long[] values) {
        ByteBuffer bytes = allocate(shape, values.length, SafetensorsDType.I64);
        bytes.asLongBuffer().put(values);
        return new TensorData(SafetensorsDType.I64, shape, bytes);
    }

    private static ByteBuffer allocate(long[] shape, int valueCount, SafetensorsDType dtype) {
        long elementCount = Shapes.elementCount(shape);
        if (elementCount != valueCount) {
            throw new ArrakisException("Shape " + Arrays.toString(shape) + " holds " + elementCount
                    + " elements, but " + valueCount + " values were given");
        }
        return ByteBuffer.allocate(valueCount * dtype.byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** A little-endian view of exactly the tensor's bytes; reading it does not disturb other views. */
    @Override
    public ByteBuffer data() {
        return data.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TensorData that
                && dtype == that.dtype
                && Arrays.equals(shape, that.shape)
                && data.equals(that.data);
    }

    @Override
    public int hashCode() {
        return Objects.hash(dtype, Arrays.hashCode(shape), data);
    }

    @Override
    public String toString() {
        return "TensorData[dtype=" + dtype + ", shape=" + Arrays.toString(shape) + ", bytes=" + data.remaining() + "]";
    }
}
