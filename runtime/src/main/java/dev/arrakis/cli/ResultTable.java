package dev.arrakis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RowMajor;
import dev.arrakis.runs.SweepAxis;
import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;

/**
 * A run's results as text: one value, a layer x head style grid for two swept axes of numbers, or one line per
 * point. Values are whatever the run or the store holds: numbers, {@link ArrayValue}s, JSON nodes, or null for a
 * point an interrupted run did not reach.
 */
final class ResultTable {
    private ResultTable() {}

    static void print(PrintWriter out, List<SweepAxis> axes, List<?> values) {
        if (axes.isEmpty()) {
            out.println(values.isEmpty() ? "(no result)" : format(values.get(0)));
        } else if (axes.size() == 2 && values.stream().allMatch(ResultTable::isNumberOrMissing)) {
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", axes.get(0).name() + "\\"
                    + axes.get(1).name()));
            for (int column = 0; column < axes.get(1).size(); column++) {
                header.append(String.format(Locale.ROOT, " %10s", axes.get(1).label(column)));
            }
            out.println(header);
            int columns = axes.get(1).size();
            for (int row = 0; row < axes.get(0).size(); row++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10s", axes.get(0).label(row)));
                for (int column = 0; column < columns; column++) {
                    line.append(String.format(Locale.ROOT, " %10s", format(values.get(row * columns + column))));
                }
                out.println(line);
            }
        } else {
            for (int point = 0; point < values.size(); point++) {
                out.println(labelledCoordinates(axes, point) + "  " + format(values.get(point)));
            }
        }
    }

    /** A point's coordinates as {@code layer=1 coefficient=0.5}: each axis's label for the point's index on it. */
    private static String labelledCoordinates(List<SweepAxis> axes, int point) {
        int[] indices = RowMajor.indices(point, axes.stream().mapToInt(SweepAxis::size).toArray());
        StringBuilder text = new StringBuilder();
        for (int axis = 0; axis < axes.size(); axis++) {
            text.append(text.isEmpty() ? "" : " ").append(axes.get(axis).name()).append('=')
                    .append(axes.get(axis).label(indices[axis]));
        }
        return text.toString();
    }

    private static boolean isNumberOrMissing(Object value) {
        return value == null || value instanceof Number || value instanceof JsonNode node
                && (node.isNumber() || node.isNull());
    }

    static String format(Object value) {
        if (value == null || value instanceof JsonNode node && node.isNull()) {
            return "-";
        }
        if (value instanceof JsonNode node) {
            if (node.isIntegralNumber()) {
                return node.asText();
            }
            if (node.isNumber()) {
                return format(node.doubleValue());
            }
            if (node.isObject() && node.has("shape")) {
                return node.path("type").asText("array") + node.path("shape");
            }
            return node.isTextual() ? node.asText() : node.toString();
        }
        if (value instanceof Double || value instanceof Float) {
            return String.format(Locale.ROOT, "%.6f", ((Number) value).doubleValue());
        }
        return String.valueOf(value);
    }
}
