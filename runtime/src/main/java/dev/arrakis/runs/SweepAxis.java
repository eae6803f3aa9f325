package dev.arrakis.runs;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One swept attribute of a run: its name ({@code layer}, {@code head}, {@code neuron} or {@code position}) and the
 * indices it took, in order.
 */
public record SweepAxis(String name, List<Integer> values) {

    public SweepAxis {
        values = List.copyOf(values);
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
