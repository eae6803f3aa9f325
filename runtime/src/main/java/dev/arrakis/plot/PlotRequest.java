package dev.arrakis.plot;

import dev.arrakis.annotations.PlotKind;
import java.util.List;

/**
 * Everything a renderer needs to draw a run's result, and nothing about how: the kind (never
 * {@link PlotKind#AUTO}; that is resolved from the result), labels, tick values and the numbers.
 *
 * <p>The numbers come as panels of one matrix each. For {@link PlotKind#LINE} and {@link PlotKind#BAR} a matrix row is
 * a series over the columns (one row when there is one series); for {@link PlotKind#HEATMAP} and
 * {@link PlotKind#ATTENTION} the matrix is the picture, rows top to bottom. Results with more axes than two are split
 * into several panels, each titled with the coordinates it holds.
 *
 * @param kind how to draw it
 * @param title the {@code @Plot} title, or the run's name
 * @param rowLabel what the rows are ({@code layer}, {@code query_pos}), empty with a single row
 * @param columnLabel what the columns are ({@code head}, {@code key_pos}, {@code index})
 * @param rowTicks one label per row
 * @param columnTicks one label per column
 * @param panels at least one
 */
public record PlotRequest(
        PlotKind kind,
        String title,
        String rowLabel,
        String columnLabel,
        List<String> rowTicks,
        List<String> columnTicks,
        List<Panel> panels) {

    public PlotRequest {
        if (kind == PlotKind.AUTO) {
            throw new IllegalArgumentException("a plot request's kind is resolved, never AUTO");
        }
        rowTicks = List.copyOf(rowTicks);
        columnTicks = List.copyOf(columnTicks);
        panels = List.copyOf(panels);
    }

    /**
     * One matrix of the picture.
     *
     * @param title the coordinates of the leading axes it holds ({@code layer=3}), empty for a single panel
     * @param values {@code [row][column]}
     */
    public record Panel(String title, double[][] values) {

        public Panel {
            values = deepCopy(values);
        }

        @Override
        public double[][] values() {
            return deepCopy(values);
        }

        private static double[][] deepCopy(double[][] rows) {
            return java.util.Arrays.stream(rows).map(double[]::clone).toArray(double[][]::new);
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Panel that && title.equals(that.title)
                    && java.util.Arrays.deepEquals(values, that.values);
        }

        @Override
        public int hashCode() {
            return 31 * title.hashCode() + java.util.Arrays.deepHashCode(values);
        }

        @Override
        public String toString() {
            return "Panel[" + title + ", " + values.length + " x " + (values.length == 0 ? 0 : values[0].length)
                    + "]";
        }
    }
}
