package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.hooks.Activation;
import dev.arrakis.runs.ArrayResult;
import dev.arrakis.runs.ArrayValue;
import java.util.Arrays;
import java.util.List;

/** Turns what a run method returned into values that outlive the point's native memory, and into JSON. */
final class ResultValues {
    private ResultValues() {}

    /**
     * Arrays and activations become {@link ArrayValue}s (a rank-0 array a {@code Double}), Java numeric arrays and
     * lists of numbers too; numbers and anything else stay as they are.
     */
    static Object toJava(Object value) {
        if (value instanceof ArrayResult table) {
            return table.toArrayValue();
        }
        if (value instanceof Activation activation) {
            return fromArray(activation.kind().typeName(), activation.array());
        }
        if (value instanceof NDArray array) {
            return array.getShape().dimension() == 0 ? (Object) doubles(array)[0] : fromArray("NDArray", array);
        }
        if (value instanceof double[] doubles) {
            return new ArrayValue("double[]", new long[] {doubles.length}, doubles);
        }
        if (value instanceof float[] floats) {
            return new ArrayValue("float[]", new long[] {floats.length}, widen(floats));
        }
        if (value instanceof int[] ints) {
            return new ArrayValue("int[]", new long[] {ints.length}, Arrays.stream(ints).asDoubleStream().toArray());
        }
        if (value instanceof long[] longs) {
            return new ArrayValue("long[]", new long[] {longs.length},
                    Arrays.stream(longs).asDoubleStream().toArray());
        }
        if (value instanceof double[][] rows && isRectangular(rows)) {
            return new ArrayValue("double[][]", matrixShape(rows.length, rows[0].length),
                    Arrays.stream(rows).flatMapToDouble(Arrays::stream).toArray());
        }
        if (value instanceof float[][] rows && isRectangular(rows)) {
            return new ArrayValue("float[][]", matrixShape(rows.length, rows[0].length), flatten(rows));
        }
        if (value instanceof List<?> list && !list.isEmpty() && list.stream().allMatch(Number.class::isInstance)) {
            return new ArrayValue("List", new long[] {list.size()},
                    list.stream().mapToDouble(number -> ((Number) number).doubleValue()).toArray());
        }
        return value;
    }

    private static ArrayValue fromArray(String type, NDArray array) {
        return new ArrayValue(type, array.getShape().getShape(), doubles(array));
    }

    private static double[] doubles(NDArray array) {
        if (array.getDataType() == DataType.FLOAT32) {
            return widen(array.toFloatArray());
        }
        if (array.getDataType() == DataType.FLOAT64) {
            return array.toDoubleArray();
        }
        try (NDArray converted = array.toType(DataType.FLOAT64, false)) {
            return converted.toDoubleArray();
        }
    }

    private static double[] widen(float[] floats) {
        double[] doubles = new double[floats.length];
        for (int i = 0; i < floats.length; i++) {
            doubles[i] = floats[i];
        }
        return doubles;
    }

    private static double[] flatten(float[][] rows) {
        double[] flat = new double[rows.length * rows[0].length];
        for (int row = 0; row < rows.length; row++) {
            for (int column = 0; column < rows[row].length; column++) {
                flat[row * rows[0].length + column] = rows[row][column];
            }
        }
        return flat;
    }

    private static long[] matrixShape(int rows, int columns) {
        return new long[] {rows, columns};
    }

    /** At least one row, all of one length: a ragged array has no shape to plot. */
    private static boolean isRectangular(Object[] rows) {
        if (rows.length == 0 || rows[0] == null) {
            return false;
        }
        int columns = java.lang.reflect.Array.getLength(rows[0]);
        for (Object row : rows) {
            if (row == null || java.lang.reflect.Array.getLength(row) != columns) {
                return false;
            }
        }
        return true;
    }

    /** One result as JSON: a number, {@code {type, shape, values}} for an array, else the value's snapshot. */
    static JsonNode toJson(Object value) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (value == null) {
            return nodes.nullNode();
        }
        if (value instanceof Double || value instanceof Float) {
            double number = ((Number) value).doubleValue();
            return Double.isFinite(number) ? nodes.numberNode(number) : nodes.textNode(String.valueOf(number));
        }
        if (value instanceof ArrayValue array) {
            ObjectNode node = nodes.objectNode();
            node.put("type", array.type());
            ArrayNode shape = node.putArray("shape");
            for (long size : array.shape()) {
                shape.add(size);
            }
            ArrayNode values = node.putArray("values");
            for (double number : array.values()) {
                values.add(number);
            }
            return node;
        }
        return Snapshots.of(value);
    }
}
