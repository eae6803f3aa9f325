package dev.arrakis.plot;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.plot.PlotRequest.Panel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Plots from plain Java, without an experiment class: each factory checks its arguments and builds the
 * {@link PlotRequest} that {@code @Plot} would, which {@link PlotRenderer} then draws.
 *
 * <pre>{@code
 * PlotRequest lens = Plots.line("logit lens: ' Mary' minus ' John'", "layer", Plots.indexTicks(13),
 *         Map.of("logit difference", perLayer));
 * new PlotRenderer().render(lens, Path.of("plots"), "logit-lens");          // plots/logit-lens.png and .svg
 * }</pre>
 *
 * <p>Every factory rejects bad input at once with an {@link IllegalArgumentException} that names the argument: an
 * empty or ragged matrix, a tick list whose length does not match the numbers, a matrix with no finite value. Null
 * arguments throw {@link NullPointerException} naming the argument. The numbers are copied; later changes to the
 * caller's arrays do not reach the request. NaN or infinite entries are allowed where a value is missing (a gap in a
 * line, no bar, a grey cell), except in attention patterns.
 *
 * <p>Line and bar charts label their y axis {@code value}; a request has no field for it, so say what is plotted in
 * the title.
 */
public final class Plots {

    /** Attention weights this far outside {@code [0, 1]} are rounding, not a mistake. */
    private static final double PROBABILITY_TOLERANCE = 1e-6;

    private Plots() {}

    /** {@code "0", "1", ... count-1}: ticks for layers, heads or positions that have no better names. */
    public static List<String> indexTicks(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative, got " + count);
        }
        return IntStream.range(0, count).mapToObj(String::valueOf).toList();
    }

    /**
     * One line per named series over the same x ticks, with a legend when there are several (a logit lens: x is
     * the layer, one series per answer token).
     *
     * @param xLabel what the x axis is ({@code layer})
     * @param xTicks one label per point
     * @param series name to values, one value per x tick, in the map's iteration order (use a
     *     {@link java.util.LinkedHashMap} or {@link Map#of} with one entry)
     */
    public static PlotRequest line(String title, String xLabel, List<String> xTicks, Map<String, double[]> series) {
        return chart(PlotKind.LINE, title, xLabel, xTicks, series, false);
    }

    /** A single line over {@code xTicks}; as {@link #line(String, String, List, Map)} with one series. */
    public static PlotRequest line(String title, String xLabel, List<String> xTicks, double[] values) {
        return chart(PlotKind.LINE, title, xLabel, xTicks, Map.of("value", Objects.requireNonNull(values, "values")),
                true);
    }

    /**
     * Bars over {@code xTicks}, grouped side by side when there are several series (per-head effect: x is the
     * head, or {@code L9H6}-style labels over every layer's heads).
     *
     * @param series name to values, one value per x tick, in the map's iteration order
     */
    public static PlotRequest bar(String title, String xLabel, List<String> xTicks, Map<String, double[]> series) {
        return chart(PlotKind.BAR, title, xLabel, xTicks, series, false);
    }

    /** One bar per x tick; as {@link #bar(String, String, List, Map)} with one series. */
    public static PlotRequest bar(String title, String xLabel, List<String> xTicks, double[] values) {
        return chart(PlotKind.BAR, title, xLabel, xTicks, Map.of("value", Objects.requireNonNull(values, "values")),
                true);
    }

    /**
     * A matrix as coloured cells, rows top to bottom and columns left to right (layer × head, layer × position).
     * Values of both signs get a diverging blue–white–red scale symmetric about zero, so zero is white; values of one
     * sign a sequential (viridis) scale.
     *
     * @param rowLabel what the rows are, the y axis ({@code layer})
     * @param rowTicks one label per row
     * @param columnLabel what the columns are, the x axis ({@code head})
     * @param columnTicks one label per column
     * @param values {@code [row][column]}, rectangular
     */
    public static PlotRequest heatmap(String title, String rowLabel, List<String> rowTicks, String columnLabel,
            List<String> columnTicks, double[][] values) {
        checkTitle(title);
        Objects.requireNonNull(rowLabel, "rowLabel");
        Objects.requireNonNull(columnLabel, "columnLabel");
        checkMatrix(values, "values");
        checkTicks(rowTicks, "rowTicks", values.length, "rows of values");
        checkTicks(columnTicks, "columnTicks", values[0].length, "columns of values");
        return new PlotRequest(PlotKind.HEATMAP, title, rowLabel, columnLabel, rowTicks, columnTicks,
                List.of(new Panel("", values)));
    }

    /**
     * One head's attention pattern: queries down, keys across, each labelled with its token, on a fixed white–blue
     * scale from 0 to 1. For attention scores before the softmax, or anything else signed, use {@link #heatmap}.
     *
     * @param tokens the sequence's tokens as text, in order; labels both axes
     * @param pattern {@code [query][key]}, square with one row per token, every weight in {@code [0, 1]}
     */
    public static PlotRequest attention(String title, List<String> tokens, double[][] pattern) {
        checkTitle(title);
        checkAttention(tokens, pattern, "pattern");
        return new PlotRequest(PlotKind.ATTENTION, title, "query", "key", tokens, tokens,
                List.of(new Panel("", pattern)));
    }

    /**
     * Several heads' patterns over the same tokens in one picture: the renderer draws them as a grid of cells titled
     * with the head labels, all on the same 0 to 1 scale.
     *
     * @param headLabels one per head ({@code L1H3})
     * @param patternByHead {@code [head][query][key]}
     */
    public static PlotRequest attention(String title, List<String> tokens, List<String> headLabels,
            double[][][] patternByHead) {
        checkTitle(title);
        Objects.requireNonNull(patternByHead, "patternByHead");
        if (patternByHead.length == 0) {
            throw new IllegalArgumentException("patternByHead is empty: it needs at least one head");
        }
        checkTicks(headLabels, "headLabels", patternByHead.length, "heads in patternByHead");
        List<Panel> panels = new ArrayList<>(patternByHead.length);
        for (int head = 0; head < patternByHead.length; head++) {
            checkAttention(tokens, patternByHead[head], "patternByHead[" + head + "]");
            panels.add(new Panel(headLabels.get(head), patternByHead[head]));
        }
        return new PlotRequest(PlotKind.ATTENTION, title, "query", "key", tokens, tokens, panels);
    }

    // ----- checks -----

    /** {@code unnamed}: one series given as plain {@code values}, which messages then call it. */
    private static PlotRequest chart(PlotKind kind, String title, String xLabel, List<String> xTicks,
            Map<String, double[]> series, boolean unnamed) {
        checkTitle(title);
        Objects.requireNonNull(xLabel, "xLabel");
        Objects.requireNonNull(series, "series");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("series is empty: give at least one named series");
        }
        List<String> names = new ArrayList<>(series.size());
        double[][] rows = new double[series.size()][];
        int row = 0;
        for (Map.Entry<String, double[]> entry : series.entrySet()) {
            String name = Objects.requireNonNull(entry.getKey(), "a series name");
            String where = unnamed ? "values" : "series '" + name + "'";
            double[] values = Objects.requireNonNull(entry.getValue(), where);
            if (values.length == 0) {
                throw new IllegalArgumentException(where + " is empty: it needs one value per x tick");
            }
            names.add(name);
            rows[row++] = values;
        }
        checkTicks(xTicks, "xTicks", rows[0].length, unnamed ? "values" : "values in series '" + names.get(0) + "'");
        for (int index = 1; index < rows.length; index++) {
            if (rows[index].length != rows[0].length) {
                throw new IllegalArgumentException("series '" + names.get(index) + "' has " + rows[index].length
                        + " values where xTicks has " + xTicks.size() + " labels");
            }
        }
        checkSomeFinite(rows, unnamed ? "values" : series.size() == 1 ? "series '" + names.get(0) + "'" : "series");
        return new PlotRequest(kind, title, "", xLabel, names, xTicks, List.of(new Panel("", rows)));
    }

    private static void checkTitle(String title) {
        Objects.requireNonNull(title, "title");
    }

    /** Non-empty, rectangular, with at least one finite number. */
    private static void checkMatrix(double[][] matrix, String name) {
        Objects.requireNonNull(matrix, name);
        if (matrix.length == 0) {
            throw new IllegalArgumentException(name + " is empty: it has no rows");
        }
        for (int row = 0; row < matrix.length; row++) {
            Objects.requireNonNull(matrix[row], name + "[" + row + "]");
        }
        if (matrix[0].length == 0) {
            throw new IllegalArgumentException(name + " is empty: its rows have no columns");
        }
        for (int row = 1; row < matrix.length; row++) {
            if (matrix[row].length != matrix[0].length) {
                throw new IllegalArgumentException(name + " is ragged: row " + row + " has " + matrix[row].length
                        + " values where row 0 has " + matrix[0].length);
            }
        }
        checkSomeFinite(matrix, name);
    }

    private static void checkSomeFinite(double[][] matrix, String name) {
        for (double[] row : matrix) {
            for (double value : row) {
                if (Double.isFinite(value)) {
                    return;
                }
            }
        }
        throw new IllegalArgumentException(name + " holds no finite number: every value is NaN or infinite");
    }

    private static void checkTicks(List<String> ticks, String name, int expected, String what) {
        Objects.requireNonNull(ticks, name);
        for (int index = 0; index < ticks.size(); index++) {
            Objects.requireNonNull(ticks.get(index), name + "[" + index + "]");
        }
        if (ticks.size() != expected) {
            throw new IllegalArgumentException(name + " has " + ticks.size() + " labels for " + expected + " "
                    + what + "; give one label each");
        }
    }

    static void checkAttention(List<String> tokens, double[][] pattern, String name) {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("tokens is empty: an attention pattern needs at least one token");
        }
        checkMatrix(pattern, name);
        if (pattern.length != pattern[0].length) {
            throw new IllegalArgumentException(name + " is " + pattern.length + " x " + pattern[0].length
                    + ": an attention pattern is square, one query row and one key column per token");
        }
        checkTicks(tokens, "tokens", pattern.length, "queries and keys in " + name);
        for (int query = 0; query < pattern.length; query++) {
            for (int key = 0; key < pattern.length; key++) {
                double weight = pattern[query][key];
                if (!(weight >= -PROBABILITY_TOLERANCE && weight <= 1 + PROBABILITY_TOLERANCE)) {
                    throw new IllegalArgumentException(name + "[" + query + "][" + key + "] is " + weight
                            + ": attention weights lie in [0, 1]; draw scores or other values with heatmap");
                }
            }
        }
    }
}
