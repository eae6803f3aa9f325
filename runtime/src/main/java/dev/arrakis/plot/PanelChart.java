package dev.arrakis.plot;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.io.Json;
import java.awt.Color;
import java.awt.Font;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle;
import org.knowm.xchart.HeatMapChart;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.AxesChartStyler;
import org.knowm.xchart.style.CategoryStyler;
import org.knowm.xchart.style.HeatMapStyler;
import org.knowm.xchart.style.Styler.ChartTheme;
import org.knowm.xchart.style.Styler.LegendPosition;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * One panel of a validated request, ready to draw, and the XChart chart that draws it.
 *
 * @param kind LINE, BAR, HEATMAP or ATTENTION
 * @param title the chart title: the request's, followed by the panel's when there are several
 * @param xLabel the x axis title
 * @param yLabel the y axis title
 * @param seriesLabel what the rows are, for LINE and BAR legends; may be empty
 * @param rowTicks one label per row
 * @param columnTicks one label per column
 * @param values {@code [row][column]}, rectangular, NaN or infinite where missing
 * @param scale the colours of a heatmap, null for LINE and BAR
 * @param width pixels
 * @param height pixels
 */
record PanelChart(
        PlotKind kind,
        String title,
        String xLabel,
        String yLabel,
        String seriesLabel,
        List<String> rowTicks,
        List<String> columnTicks,
        double[][] values,
        ColorScale scale,
        int width,
        int height) {

    /** More tick labels than this along one axis are thinned to every n-th. */
    static final int MAX_TICK_LABELS = 40;
    /** Longer tick labels (tokens, mostly) are cut to this many characters and an ellipsis. */
    static final int MAX_TICK_LABEL_LENGTH = 16;
    /** Line charts with more points than this per series are drawn without markers. */
    static final int MAX_MARKED_POINTS = 40;
    /** Background of a heatmap's plot area, seen where a value is NaN or infinite. */
    static final Color MISSING_VALUE = new Color(0xBDBDBD);
    /** The font of chart titles, and of a grid's heading. */
    static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 16);

    /**
     * The text for an SVG {@code <desc>}: the axes, every tick label in full and, for heatmaps, the colour scale.
     * The picture draws its words as glyph outlines, cut and thinned to fit; this is where they are text, exact and
     * searchable. Tick lists are JSON arrays so that labels holding commas, quotes or leading spaces (tokens) stay
     * unambiguous.
     */
    String description(List<String> yTicks) {
        boolean chart = kind == PlotKind.LINE || kind == PlotKind.BAR;
        StringBuilder text = new StringBuilder(kind.name().toLowerCase(Locale.ROOT)).append(" chart; x axis: ")
                .append(xLabel).append("; y axis: ").append(yLabel);
        if (!seriesLabel.isEmpty() && chart && values.length > 1) {
            text.append("; one series per ").append(seriesLabel);
        }
        text.append("; x ticks: ").append(jsonArray(columnTicks));
        if (!chart) {
            text.append("; y ticks: ").append(jsonArray(rowTicks));
        } else if (values.length > 1) {
            text.append("; series: ").append(jsonArray(rowTicks));
        }
        if (chart) {
            ValueAxis axis = valueAxis();
            text.append("; y axis from ").append(axis.label(axis.min())).append(" to ").append(axis.label(axis.max()))
                    .append("; y ticks: ").append(jsonArray(yTicks));
            if (kind == PlotKind.BAR) {
                text.append("; bars start at ").append(axis.label(axis.baseline()));
            }
        }
        if (scale != null) {
            text.append("; colour scale: ").append(scale.name()).append(" from ").append(scale.label(scale.min()))
                    .append(" to ").append(scale.label(scale.max()));
        }
        return text.toString();
    }

    static String jsonArray(List<String> labels) {
        try {
            return Json.MAPPER.writeValueAsString(labels);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("a list of strings is always JSON", impossible);
        }
    }

    /**
     * The XChart chart, and after it has been painted the y tick labels it drew (empty for heatmaps, whose y ticks
     * are the row ticks).
     */
    record Drawing(Chart<?, ?> chart, Supplier<List<String>> yTicks) {}

    Drawing draw() {
        return switch (kind) {
            case LINE, BAR -> {
                TickLabels ticks = new TickLabels(valueAxis());
                yield new Drawing(categoryChart(ticks), ticks::drawn);
            }
            case HEATMAP, ATTENTION -> new Drawing(heatMapChart(), List::of);
            case AUTO -> throw new IllegalStateException("AUTO is resolved before drawing");
        };
    }

    /**
     * XChart's y tick labels, written by the axis, remembered so that the SVG description can list them: XChart
     * picks the tick positions itself and asks for their labels in ascending order, starting over when it tries a
     * wider spacing; the last ascending run within the axis is what it drew.
     */
    static final class TickLabels implements Function<Double, String> {
        private final ValueAxis axis;
        private final List<Double> run = new ArrayList<>();

        TickLabels(ValueAxis axis) {
            this.axis = axis;
        }

        @Override
        public String apply(Double chartValue) {
            if (!run.isEmpty() && chartValue <= run.get(run.size() - 1)) {
                run.clear();
            }
            run.add(chartValue);
            return axis.chartLabel(chartValue);
        }

        List<String> drawn() {
            double low = axis.toChart(axis.min());
            double high = axis.toChart(axis.max());
            double slack = (high - low) * 1e-9;
            return run.stream().filter(value -> value >= low - slack && value <= high + slack)
                    .map(axis::chartLabel).toList();
        }
    }

    /** The same panel drawn at another size under another title: a cell of a grid. */
    PanelChart resized(String newTitle, int newWidth, int newHeight) {
        return new PanelChart(kind, newTitle, xLabel, yLabel, seriesLabel, rowTicks, columnTicks, values, scale,
                newWidth, newHeight);
    }

    /** The y axis of a line or bar chart, from the finite values. */
    ValueAxis valueAxis() {
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double value : row) {
                if (Double.isFinite(value)) {
                    low = Math.min(low, value);
                    high = Math.max(high, value);
                }
            }
        }
        return kind == PlotKind.BAR ? ValueAxis.forBars(low, high) : ValueAxis.forLine(low, high);
    }

    private CategoryChart categoryChart(TickLabels tickLabels) {
        ValueAxis axis = valueAxis();
        CategoryChart chart = new CategoryChart(width, height, ChartTheme.XChart);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        // Bars that do not start at zero say so where the eye goes for the scale.
        boolean offZero = kind == PlotKind.BAR && axis.baseline() != 0;
        chart.setYAxisTitle(offZero ? yLabel + " (bars start at " + axis.label(axis.baseline()) + ")" : yLabel);
        CategoryStyler styler = chart.getStyler();
        commonStyle(styler);
        // A hair wider than the axis, so that the ticks at its ends are inside and drawn, not lost to rounding.
        double low = axis.toChart(axis.min());
        double high = axis.toChart(axis.max());
        double hair = (high - low) * 1e-3;
        styler.setYAxisMin(low - hair);
        styler.setYAxisMax(high + hair);
        chart.setCustomYAxisTickLabelsFormatter(tickLabels);
        // The y range is exactly the axis, so that its ends are the plot area's top and bottom edges.
        styler.setPlotContentSize(1.0);
        int columns = columnTicks.size();
        if (kind == PlotKind.LINE) {
            styler.setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Line);
            // Every series' points over their own column tick, not side by side as grouped bars would be.
            styler.setOverlapped(true);
        } else {
            styler.setDefaultSeriesRenderStyle(CategorySeriesRenderStyle.Bar);
            styler.setAvailableSpaceFill(0.8);
        }
        styler.setLegendVisible(values.length > 1);
        styler.setLegendPosition(LegendPosition.OutsideE);
        // XChart thins category labels itself (grid lines with them); blank labels would keep every grid line.
        List<String> xTicks = columnTicks.stream().map(PanelChart::shorten).toList();
        styler.setXAxisMaxLabelCount(MAX_TICK_LABELS);
        rotateIfCrowded(styler, thin(columnTicks), width - 200);
        Set<String> names = new HashSet<>();
        for (int row = 0; row < values.length; row++) {
            List<Double> series = new ArrayList<>(columns);
            for (double value : values[row]) {
                series.add(Double.isFinite(value) ? axis.toChart(value) : null);
            }
            String tick = TokenText.display(rowTicks.get(row));
            String name = values.length == 1 ? (yLabel.isEmpty() ? "value" : yLabel)
                    : seriesLabel.isEmpty() ? tick : seriesLabel + "=" + tick;
            String unique = name;
            for (int copy = 2; !names.add(unique); copy++) {
                unique = name + " (" + copy + ")";
            }
            var added = chart.addSeries(unique, xTicks, series);
            if (kind == PlotKind.LINE && columns > MAX_MARKED_POINTS) {
                added.setMarker(SeriesMarkers.NONE);
            }
        }
        return chart;
    }

    private HeatMapChart heatMapChart() {
        HeatMapChart chart = new HeatMapChart(width, height, ChartTheme.XChart);
        chart.setTitle(title);
        chart.setXAxisTitle(xLabel);
        chart.setYAxisTitle(yLabel);
        HeatMapStyler styler = chart.getStyler();
        commonStyle(styler);
        styler.setPlotContentSize(1.0);
        styler.setPlotGridLinesVisible(false);
        styler.setPlotBackgroundColor(MISSING_VALUE);
        styler.setRangeColors(scale.stops());
        styler.setMin(scale.min());
        styler.setMax(scale.max());
        styler.setShowValue(false);
        styler.setDrawBorder(false);
        styler.setHeatMapDecimalValueFormatter(scale::label);
        styler.setLegendPosition(LegendPosition.OutsideE);

        int rows = values.length;
        List<String> xTicks = thin(columnTicks);
        rotateIfCrowded(styler, xTicks, width - 250);
        // XChart puts y index 0 at the bottom; the matrix's first row belongs at the top.
        List<String> yTicks = new ArrayList<>(thin(rowTicks));
        java.util.Collections.reverse(yTicks);
        List<Number[]> heat = new ArrayList<>();
        for (int row = 0; row < rows; row++) {
            for (int column = 0; column < values[row].length; column++) {
                double value = values[row][column];
                if (Double.isFinite(value)) {
                    heat.add(new Number[] {column, rows - 1 - row, value});
                }
            }
        }
        chart.addSeries(kind == PlotKind.ATTENTION ? "attention" : "value", xTicks, yTicks, heat);
        return chart;
    }

    private static void commonStyle(AxesChartStyler styler) {
        styler.setLocale(Locale.ROOT);
        styler.setChartBackgroundColor(Color.WHITE);
        styler.setChartTitleVisible(true);
        styler.setChartTitleFont(TITLE_FONT);
        styler.setAxisTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 13));
        styler.setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
        styler.setLegendBorderColor(new Color(0xBDBDBD));
        styler.setAntiAlias(true);
        styler.setToolTipsEnabled(false);
    }

    /** Turns the x labels upright when the longest, laid flat, would be wider than a column (7 px a character). */
    private static void rotateIfCrowded(AxesChartStyler styler, List<String> ticks, int available) {
        int longest = ticks.stream().mapToInt(String::length).max().orElse(0);
        if (7 * longest + 8 > available / Math.max(1, ticks.size())) {
            styler.setXAxisLabelRotation(90);
        }
    }

    /**
     * Every tick label, cut to length, with only every n-th kept when there are too many; the rest become a space
     * (XChart cannot lay out an empty label).
     */
    static List<String> thin(List<String> ticks) {
        int step = (ticks.size() + MAX_TICK_LABELS - 1) / MAX_TICK_LABELS;
        List<String> shown = new ArrayList<>(ticks.size());
        for (int i = 0; i < ticks.size(); i++) {
            shown.add(i % step == 0 ? shorten(ticks.get(i)) : " ");
        }
        return shown;
    }

    /** A tick label as drawn: tokens made visible ({@link TokenText}), then cut to length. */
    static String shorten(String tick) {
        String shown = TokenText.display(tick);
        return shown.length() > MAX_TICK_LABEL_LENGTH ? shown.substring(0, MAX_TICK_LABEL_LENGTH - 1) + "\u2026"
                : shown;
    }
}
