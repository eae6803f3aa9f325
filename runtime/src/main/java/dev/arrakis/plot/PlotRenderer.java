package dev.arrakis.plot;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.plot.PlotRenderException.Problem;
import dev.arrakis.plot.PlotRequest.Panel;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.VectorGraphicsEncoder.VectorGraphicsFormat;
import org.knowm.xchart.VectorGraphicsEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

/**
 * Draws a {@link PlotRequest} with XChart and writes it as PNG and SVG.
 *
 * <ul>
 *   <li>{@link PlotKind#LINE}: the columns along x (column label, column ticks), one line per row, with a legend of
 *       row ticks when there are several rows; the y axis is {@code value}, a round range a little wider than the
 *       data, zero on it or not, its ticks round numbers with one count of decimals ({@link ValueAxis}).
 *   <li>{@link PlotKind#BAR}: bars over the column ticks, one bar group member per row, legend as for lines. Bars
 *       grow from zero, which the axis then shows, unless the values have one sign and a spread under a sixth of
 *       their size (log-probabilities): then the axis is around the data, the bars grow from a round number just
 *       beyond the value nearest zero and the axis title says so ({@code value (bars start at -3.0)}).
 *   <li>{@link PlotKind#HEATMAP}: rows top to bottom by columns left to right, both axes titled and ticked. When the
 *       values have both signs the scale is diverging, blue–white–red over {@code ±bound} so that zero is white;
 *       otherwise it is sequential (viridis) over the values' range; the ends are round numbers just covering the
 *       data.
 *   <li>{@link PlotKind#ATTENTION}: query (rows) by key (columns), white–blue over 0 to 1 whatever the data.
 * </ul>
 *
 * <p>Tick labels show tokens as {@link TokenText} does. Heatmap colour scales are shared by all panels of a request,
 * so panels compare. NaN and infinite values are missing: a gap in a line, no bar, a grey heatmap cell. Axes with more than {@value PanelChart#MAX_TICK_LABELS}
 * ticks label every n-th.
 *
 * <p>Files: one request with one panel gives {@code <baseName>.png} and {@code <baseName>.svg}; with several panels
 * each panel is its own picture, {@code <baseName>-1.png}, {@code <baseName>-1.svg}, {@code <baseName>-2.png}... in
 * panel order, the number zero-padded to the width of the picture count ({@code -01} ... {@code -12}) so that names
 * sort in panel order; each picture's title ends with its panel's title. Separate pictures keep every heatmap panel
 * at full size, where a grid of twelve layers would shrink each to a thumbnail. Attention is the exception: its
 * panels are heads, compared side by side, so they are drawn as grids of {@value #GRID_CELL_WIDTH} ×
 * {@value #GRID_CELL_HEIGHT} cells, one picture per value of all but the panels' last coordinate (one per batch row
 * for {@code batch=0, head=3}-style titles, a single grid for heads titled {@code L1H3}). Sizes are fixed per kind
 * ({@link #imageWidth}, {@link #imageHeight}); names and contents hold no timestamps, so the same request gives the
 * same bytes. Each file is written to a temporary file in the same directory, flushed to disk and moved into place,
 * so a crash leaves the old file or the new one, never half of one; every picture is drawn in memory before the first
 * file is written.
 *
 * <p>Rendering needs no display: loading this class sets {@code java.awt.headless=true} unless the property was set
 * already. It does need fonts (any TrueType font fontconfig can find, such as DejaVu). A renderer holds no state and
 * may be shared between threads.
 */
public final class PlotRenderer {

    static {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Width of every picture, in pixels. */
    public static final int WIDTH = 800;
    /** Height of line and bar charts, in pixels. */
    public static final int CHART_HEIGHT = 600;
    /** Height of heatmaps, in pixels: taller, so that the cells of a square matrix are about square beside the legend. */
    public static final int HEATMAP_HEIGHT = 700;

    public static int imageWidth(PlotKind kind) {
        return WIDTH;
    }

    public static int imageHeight(PlotKind kind) {
        return kind == PlotKind.HEATMAP || kind == PlotKind.ATTENTION ? HEATMAP_HEIGHT : CHART_HEIGHT;
    }

    /** True when AWT runs without a display, as it must for rendering on a server or in CI. */
    public static boolean headless() {
        return GraphicsEnvironment.isHeadless();
    }

    /**
     * Draws {@code request} and writes its PNG and SVG files into {@code directory}, created if missing.
     *
     * @param baseName the file name without extension: not blank, no path separators, not {@code .} or {@code ..}
     * @return the files written, one PNG and one SVG per picture
     * @throws PlotRenderException when the data cannot be drawn, the name is not a plain file name or the directory
     *     cannot be written; the message names the plot and the problem
     */
    public RenderedPlot render(PlotRequest request, Path directory, String baseName) {
        String plotTitle = request.title() == null || request.title().isBlank() ? baseName : request.title();
        List<PanelChart> panels = layOut(request, plotTitle);
        checkBaseName(plotTitle, baseName);

        List<Figure> figures = figures(request, panels, plotTitle);
        int count = figures.size();
        int digits = String.valueOf(count).length();
        List<Encoded> encoded = new ArrayList<>(count);
        for (int index = 0; index < count; index++) {
            Figure figure = figures.get(index);
            String name = count == 1 ? baseName : baseName + "-" + String.format("%0" + digits + "d", index + 1);
            encoded.add(figure.cells().size() == 1 && figure.gridTitle() == null
                    ? encode(plotTitle, figure.cells().get(0), figure.title(), name)
                    : encodeGrid(plotTitle, figure, name));
        }

        StagedFile.prepareDirectory(plotTitle, directory);
        List<StagedFile> staged = new ArrayList<>();
        try {
            for (Encoded picture : encoded) {
                staged.add(StagedFile.stage(plotTitle, directory.resolve(picture.name() + ".png"), picture.png()));
                staged.add(StagedFile.stage(plotTitle, directory.resolve(picture.name() + ".svg"), picture.svg()));
            }
            for (StagedFile file : staged) {
                file.commit();
            }
        } finally {
            staged.forEach(StagedFile::discard);
        }
        return new RenderedPlot(encoded.stream().map(picture -> new RenderedPlot.Image(picture.panelTitle(),
                directory.resolve(picture.name() + ".png"), directory.resolve(picture.name() + ".svg"),
                picture.width(), picture.height())).toList());
    }

    // ----- validation and layout -----

    private static List<PanelChart> layOut(PlotRequest request, String plotTitle) {
        PlotKind kind = request.kind();
        if (kind == null) {
            throw new PlotRenderException(plotTitle, Problem.NO_KIND, "the request has no plot kind");
        }
        List<Panel> panels = request.panels();
        if (panels.isEmpty()) {
            throw new PlotRenderException(plotTitle, Problem.NO_PANELS, "the request has no panels");
        }
        double[][][] matrices = new double[panels.size()][][];
        double low = Double.POSITIVE_INFINITY;
        double high = Double.NEGATIVE_INFINITY;
        for (int index = 0; index < panels.size(); index++) {
            double[][] values = panels.get(index).values();
            String where = panelName(panels, index);
            if (values.length == 0 || values[0].length == 0) {
                throw new PlotRenderException(plotTitle, Problem.EMPTY_PANEL, where + " is empty: "
                        + values.length + " rows x " + (values.length == 0 ? 0 : values[0].length) + " columns");
            }
            for (int row = 1; row < values.length; row++) {
                if (values[row].length != values[0].length) {
                    throw new PlotRenderException(plotTitle, Problem.RAGGED_ROWS, where + " has ragged rows: row "
                            + row + " has " + values[row].length + " values where row 0 has " + values[0].length);
                }
            }
            if (index > 0 && (values.length != matrices[0].length || values[0].length != matrices[0][0].length)) {
                throw new PlotRenderException(plotTitle, Problem.PANEL_SHAPE_MISMATCH, where + " is " + values.length + " x "
                        + values[0].length + " where panel 1 is " + matrices[0].length + " x "
                        + matrices[0][0].length);
            }
            double[] finite = java.util.Arrays.stream(values).flatMapToDouble(java.util.Arrays::stream)
                    .filter(Double::isFinite).toArray();
            if (finite.length == 0) {
                throw new PlotRenderException(plotTitle, Problem.NO_FINITE_VALUES,
                        where + " has no finite values: all are NaN or infinite");
            }
            for (double value : finite) {
                low = Math.min(low, value);
                high = Math.max(high, value);
            }
            matrices[index] = values;
        }
        int rows = matrices[0].length;
        int columns = matrices[0][0].length;
        List<String> rowTicks = ticks(plotTitle, "row", request.rowTicks(), rows);
        List<String> columnTicks = ticks(plotTitle, "column", request.columnTicks(), columns);

        String rowLabel = text(request.rowLabel());
        String columnLabel = text(request.columnLabel());
        String xLabel;
        String yLabel;
        ColorScale scale;
        switch (kind) {
            case LINE, BAR -> {
                xLabel = columnLabel.isEmpty() ? "column" : columnLabel;
                yLabel = "value";
                scale = null;
            }
            case ATTENTION -> {
                xLabel = columnLabel.isEmpty() ? "key" : columnLabel;
                yLabel = rowLabel.isEmpty() ? "query" : rowLabel;
                scale = ColorScale.forAttention();
            }
            default -> {
                xLabel = columnLabel.isEmpty() ? "column" : columnLabel;
                yLabel = rowLabel.isEmpty() ? "row" : rowLabel;
                scale = ColorScale.forValues(low, high);
            }
        }
        List<PanelChart> charts = new ArrayList<>(panels.size());
        for (int index = 0; index < panels.size(); index++) {
            String panelTitle = text(panels.get(index).title());
            String title = panels.size() > 1 && !panelTitle.isEmpty() ? plotTitle + " \u2014 " + panelTitle
                    : panels.size() > 1 ? plotTitle + " \u2014 panel " + (index + 1) : plotTitle;
            charts.add(new PanelChart(kind, title, xLabel, yLabel, rowLabel, rowTicks, columnTicks, matrices[index],
                    scale, imageWidth(kind), imageHeight(kind)));
        }
        return charts;
    }

    private static String panelName(List<Panel> panels, int index) {
        String title = text(panels.get(index).title());
        return panels.size() == 1 && title.isEmpty() ? "the panel"
                : "panel " + (index + 1) + " of " + panels.size() + (title.isEmpty() ? "" : " (" + title + ")");
    }

    private static List<String> ticks(String plotTitle, String axis, List<String> given, int count) {
        if (given.isEmpty()) {
            return IntStream.range(0, count).mapToObj(String::valueOf).toList();
        }
        if (given.size() != count) {
            throw new PlotRenderException(plotTitle, Problem.TICK_COUNT_MISMATCH, "there are " + given.size() + " "
                    + axis + " ticks for " + count + " " + axis + "s");
        }
        return given.stream().map(PlotRenderer::text).toList();
    }

    private static String text(String text) {
        return text == null ? "" : text;
    }

    private static void checkBaseName(String plotTitle, String baseName) {
        String problem = baseName == null || baseName.isBlank() ? "is blank"
                : baseName.equals(".") || baseName.equals("..") ? "is a relative directory"
                : baseName.contains("/") || baseName.contains("\\") ? "contains a path separator"
                : baseName.chars().anyMatch(Character::isISOControl) ? "contains a control character"
                : null;
        if (problem != null) {
            throw new PlotRenderException(plotTitle, Problem.BAD_FILE_NAME,
                    "the file base name '" + baseName + "' " + problem);
        }
    }

    // ----- figures -----

    /** Width of one head's cell in a grid of attention heads, in pixels. */
    static final int GRID_CELL_WIDTH = 560;
    /** Height of one head's cell in a grid of attention heads, in pixels. */
    static final int GRID_CELL_HEIGHT = 500;
    /** Height of the band above a grid that holds its title, in pixels. */
    static final int GRID_TITLE_HEIGHT = 40;

    /**
     * One picture: a single panel, or for attention a grid of heads.
     *
     * @param title the panel's title for {@link RenderedPlot.Image#panelTitle}, or the group's for a grid
     * @param gridTitle the grid's heading, null for a single panel
     */
    private record Figure(String title, String gridTitle, List<PanelChart> cells) {}

    /**
     * Panels of a heatmap, line or bar chart are one picture each, at full size. Attention panels are grouped into
     * one grid per value of all but their last coordinate: {@code batch=0, head=3} joins the grid {@code batch=0}
     * as its cell {@code head=3}, and heads labelled plainly ({@code L1H3}) form a single grid. So a 4 × 4 batch ×
     * head pattern gives four pictures, not sixteen.
     */
    private static List<Figure> figures(PlotRequest request, List<PanelChart> panels, String plotTitle) {
        if (request.kind() != PlotKind.ATTENTION || panels.size() == 1) {
            List<Figure> figures = new ArrayList<>(panels.size());
            for (int index = 0; index < panels.size(); index++) {
                figures.add(new Figure(text(request.panels().get(index).title()), null, List.of(panels.get(index))));
            }
            return figures;
        }
        Map<String, List<PanelChart>> groups = new LinkedHashMap<>();
        for (int index = 0; index < panels.size(); index++) {
            String title = text(request.panels().get(index).title());
            int split = title.lastIndexOf(", ");
            String group = split < 0 ? "" : title.substring(0, split);
            String cell = split < 0 ? title : title.substring(split + 2);
            PanelChart panel = panels.get(index);
            groups.computeIfAbsent(group, unused -> new ArrayList<>()).add(panel.resized(
                    cell.isEmpty() ? "panel " + (index + 1) : cell, GRID_CELL_WIDTH, GRID_CELL_HEIGHT));
        }
        List<Figure> figures = new ArrayList<>(groups.size());
        groups.forEach((group, cells) -> figures.add(new Figure(group, group.isEmpty() ? plotTitle
                : plotTitle + " \u2014 " + group, cells)));
        return figures;
    }

    /** Columns of a grid of {@code cells}: as square as it gets, wider than tall. */
    static int gridColumns(int cells) {
        return (int) Math.ceil(Math.sqrt(cells));
    }

    // ----- drawing -----

    private record Encoded(String name, String panelTitle, byte[] png, byte[] svg, int width, int height) {}

    private static Encoded encodeGrid(String plotTitle, Figure figure, String name) {
        try {
            List<PanelChart> cells = figure.cells();
            int columns = gridColumns(cells.size());
            int rows = (cells.size() + columns - 1) / columns;
            int width = columns * GRID_CELL_WIDTH;
            int height = GRID_TITLE_HEIGHT + rows * GRID_CELL_HEIGHT;
            BufferedImage image = new BufferedImage(width, height,
                    BufferedImage.TYPE_INT_RGB);
            Graphics2D graphics = image.createGraphics();
            graphics.setColor(Color.WHITE);
            graphics.fillRect(0, 0, width, height);
            graphics.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING,
                    RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            graphics.setColor(Color.BLACK);
            graphics.setFont(PanelChart.TITLE_FONT);
            int titleWidth = graphics.getFontMetrics().stringWidth(figure.gridTitle());
            graphics.drawString(figure.gridTitle(), Math.max(8, (width - titleWidth) / 2), GRID_TITLE_HEIGHT - 14);
            List<SvgDocument.Placed> parts = new ArrayList<>(cells.size());
            List<String> cellTitles = new ArrayList<>(cells.size());
            for (int index = 0; index < cells.size(); index++) {
                PanelChart cell = cells.get(index);
                int x = (index % columns) * GRID_CELL_WIDTH;
                int y = GRID_TITLE_HEIGHT + (index / columns) * GRID_CELL_HEIGHT;
                Chart<?, ?> chart = cell.draw().chart();
                graphics.drawImage(BitmapEncoder.getBufferedImage(chart), x, y, null);
                ByteArrayOutputStream svg = new ByteArrayOutputStream();
                VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsFormat.SVG);
                parts.add(new SvgDocument.Placed(svg.toByteArray(), x, y, cell.width(), cell.height()));
                cellTitles.add(cell.title());
            }
            graphics.dispose();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            if (!ImageIO.write(image, "png", png)) {
                throw new IllegalStateException("no PNG writer is installed");
            }
            String description = "grid of " + cells.size() + " panels, " + columns + " across, left to right then"
                    + " down: " + PanelChart.jsonArray(cellTitles) + "; each a " + cells.get(0).description(List.of());
            byte[] svg = SvgDocument.grid(parts, width, height, figure.gridTitle(), GRID_TITLE_HEIGHT - 14,
                    description);
            return new Encoded(name, figure.title(), png.toByteArray(), svg, width, height);
        } catch (IOException | RuntimeException failure) {
            throw new PlotRenderException(plotTitle, Problem.RENDER_FAILED,
                    "drawing " + name + " failed: " + failure, failure);
        }
    }

    private static Encoded encode(String plotTitle, PanelChart panel, String panelTitle, String name) {
        try {
            PanelChart.Drawing drawing = panel.draw();
            Chart<?, ?> chart = drawing.chart();
            ByteArrayOutputStream png = new ByteArrayOutputStream();
            if (!ImageIO.write(BitmapEncoder.getBufferedImage(chart), "png", png)) {
                throw new IllegalStateException("no PNG writer is installed");
            }
            ByteArrayOutputStream svg = new ByteArrayOutputStream();
            VectorGraphicsEncoder.saveVectorGraphic(chart, svg, VectorGraphicsFormat.SVG);
            byte[] finished = SvgDocument.finish(svg.toByteArray(), panel.title(),
                    panel.description(drawing.yTicks().get()));
            return new Encoded(name, text(panelTitle), png.toByteArray(), finished, panel.width(), panel.height());
        } catch (IOException | RuntimeException failure) {
            throw new PlotRenderException(plotTitle, Problem.RENDER_FAILED,
                    "drawing " + name + " failed: " + failure, failure);
        }
    }
}
