package dev.arrakis.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One swept attribute of a run: its name ({@code layer}, {@code head}, {@code neuron}, {@code position} or
 * {@code coefficient}) and the indices it took, in order.
 *
 * @param labels what each index stands for where that is not the index itself (a coefficient axis's indices are
 *     labelled with the coefficients, {@code 0.5}); empty otherwise
 */
public record SweepAxis(String name, List<Integer> values,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> labels) {

    public SweepAxis {
        values = List.copyOf(values);
        labels = List.copyOf(labels);
        if (!labels.isEmpty() && labels.size() != values.size()) {
            throw new IllegalArgumentException("axis " + name + " has " + values.size() + " values but "
                    + labels.size() + " labels");
        }
    }

    public SweepAxis(String name, List<Integer> values) {
        this(name, values, List.of());
    }

    /** What the axis's {@code index}-th value is shown as: its label, or the index value itself. */
    public String label(int index) {
        return labels.isEmpty() ? String.valueOf(values.get(index)) : labels.get(index);
    }

    /** A number as an axis label: {@code 1} rather than {@code 1.0}, {@code 0.5} as is. */
    public static String numberLabel(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.valueOf(value);
    }

    public int size() {
        return values.size();
    }

    /**
     * The value on each axis of a sweep's {@code point}-th point, by axis name in axis order, e.g.
     * {@code {layer=1, head=3}}; points are numbered row-major, the last axis fastest.
     */
    public static Map<String, Integer> coordinates(List<SweepAxis> axes, int point) {
        int[] indices = RowMajor.indices(point, axes.stream().mapToInt(SweepAxis::size).toArray());
        Map<String, Integer> coordinates = new LinkedHashMap<>();
        for (int axis = 0; axis < axes.size(); axis++) {
            coordinates.put(axes.get(axis).name(), axes.get(axis).values().get(indices[axis]));
        }
        return coordinates;
    }
}
