package dev.arrakis.runs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A numeric array that a run method returned (an {@code NDArray}, an activation, a Java array), copied out of native
 * memory before the point's scope closed, so results outlive the forward pass.
 *
 * @param type what it was: {@code NDArray}, an activation class's simple name ({@code AttentionPattern}), or the
 *     Java array type ({@code double[]})
 * @param shape the axis sizes
 * @param values the values, row-major
 */
public record ArrayValue(String type, long[] shape, double[] values) {

    public ArrayValue {
        shape = shape.clone();
        values = values.clone();
        long size = Arrays.stream(shape).reduce(1, Math::multiplyExact);
        if (size != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + size + " values, got "
                    + values.length);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public double[] values() {
        return values.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** The value at one index, one coordinate per axis. */
    public double get(long... index) {
        if (index.length != shape.length) {
            throw new IllegalArgumentException(type + Arrays.toString(shape) + " has " + shape.length
                    + " axes; got " + index.length + " indices");
        }
        long flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            if (index[axis] < 0 || index[axis] >= shape[axis]) {
                throw new IndexOutOfBoundsException(Arrays.toString(index) + " is outside " + type
                        + Arrays.toString(shape));
            }
            flat = flat * shape[axis] + index[axis];
        }
        return values[(int) flat];
    }

    /** The values as nested lists, one level per axis (a bare number for rank 0). */
    public Object toNestedList() {
        return nest(0, 0);
    }

    private Object nest(int axis, int offset) {
        if (axis == shape.length) {
            return values[offset];
        }
        int stride = 1;
        for (int later = axis + 1; later < shape.length; later++) {
            stride *= (int) shape[later];
        }
        List<Object> items = new ArrayList<>((int) shape[axis]);
        for (int i = 0; i < shape[axis]; i++) {
            items.add(nest(axis + 1, offset + i * stride));
        }
        return items;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ArrayValue that && type.equals(that.type) && Arrays.equals(shape, that.shape)
                && Arrays.equals(values, that.values);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * type.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return type + Arrays.toString(shape);
    }
}
