package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.io.Json;
import dev.arrakis.plot.PlotRequest.Panel;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Reads every kind of chart back from the files written: the y value of each line point and bar end recovered from
 * its pixel position and the drawn y ticks (their positions from the SVG's tick marks, their labels from its
 * description), checked against the data within a pixel; the PNG's pixels sampled where each point, bar end and cell
 * must be. Each data case is one that XChart got wrong or that is easy to get wrong.
 */
class PlotReadBackTest {
    private static final String SVG = "http://www.w3.org/2000/svg";
    /** XChart's first series colour, as the SVG writes it. */
    private static final String SERIES_FILL = "fill:rgb(0,55,255)";

    @TempDir
    Path directory;

    private final PlotRenderer renderer = new PlotRenderer();

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    /**
     * The data cases, each with the y axis range a line and bars of it get and the colour scale range of a heatmap,
     * worked out by hand from the rules in {@link ValueAxis}: a line's range is the data widened by a twenty-fifth of
     * its spread each way, rounded out to a step of 1, 2 or 5 times a power of ten near a sixth of the range.
     */
    enum Data {
        ALL_NEGATIVE(new double[] {-0.1, -0.4, -0.2, -0.3}, "-0.5 to 0.0", "-0.5 to 0.0", "0.0", "-0.40 to -0.10"),
        ALL_POSITIVE(new double[] {0.1, 0.4, 0.2, 0.3}, "0.0 to 0.5", "0.0 to 0.5", "0.0", "0.10 to 0.40"),
        MIXED(new double[] {-0.41, 0.2, -0.016, 0.3}, "-0.6 to 0.4", "-0.6 to 0.4", "0.0", "-0.5 to 0.5"),
        // A constant gets a range of a tenth of its size either way; bars of it start at zero.
        CONSTANT(new double[] {-2, -2, -2, -2}, "-2.10 to -1.90", "-2.5 to 0.0", "0.0", "-2.2 to -1.8"),
        // Bars zoom in (spread 2e-7 is under a sixth of 1.0000003) and start at 1.0000000, the round number below.
        TINY_RANGE(new double[] {1.0000001, 1.0000002, 1.0000003, 1.0000002}, "1.00000005 to 1.00000035",
                "1.00000000 to 1.00000035", "1.00000000", "1.00000010 to 1.00000030"),
        // Equally spaced values: XChart alone ticked the values themselves, labelled -6.027777471122048.
        EQUALLY_SPACED(new double[] {-6.027777471122048, -5.027777471122048, -4.027777471122048, -3.027777471122048},
                "-7 to -2", "-8 to 0", "0", "-6.5 to -3.0"),
        // Log-probabilities: bars zoom in (spread 0.3 < 3.4 / 6) and start at -3.0, a round number above the data.
        WITH_NAN(new double[] {-3.1, Double.NaN, -3.4, -3.2}, "-3.5 to -3.0", "-3.5 to -3.0", "-3.0",
                "-3.40 to -3.10");

        final double[] values;
        final String lineRange;
        final String barRange;
        final String barStart;
        final String scaleRange;

        Data(double[] values, String lineRange, String barRange, String barStart, String scaleRange) {
            this.values = values;
            this.lineRange = lineRange;
            this.barRange = barRange;
            this.barStart = barStart;
            this.scaleRange = scaleRange;
        }
    }

    @ParameterizedTest
    @EnumSource(Data.class)
    void linePointsSitAtTheirValues(Data data) throws Exception {
        RenderedPlot plot = renderer.render(Plots.line("line " + data, "pos", Plots.indexTicks(4), data.values),
                directory, "line");
        Document svg = parse(plot.svgFiles().get(0));
        String desc = text(svg, "desc");
        assertTrue(desc.contains("y axis from " + data.lineRange + ";"), "range " + data.lineRange + " in: " + desc);
        YAxis axis = yAxis(svg, desc);

        List<double[]> points = new ArrayList<>();
        for (Element ellipse : elements(svg, "ellipse")) {
            if (ellipse.getAttribute("style").contains(SERIES_FILL)) {
                points.add(new double[] {Double.parseDouble(ellipse.getAttribute("cx")),
                    Double.parseDouble(ellipse.getAttribute("cy"))});
            }
        }
        double[] finite = Arrays.stream(data.values).filter(Double::isFinite).toArray();
        assertEquals(finite.length, points.size(), "one marker per finite value of " + Arrays.toString(data.values));
        BufferedImage png = png(plot.pngFiles().get(0));
        for (int point = 0; point < finite.length; point++) {
            double drawn = axis.value(points.get(point)[1]);
            assertEquals(finite[point], drawn, axis.perPixel(), "point " + point + " of " + data + " is drawn at "
                    + drawn + " where the value is " + finite[point] + " (ticks " + axis + ")");
            int x = (int) Math.round(points.get(point)[0]);
            int y = (int) Math.round(axis.pixel(finite[point]));
            Color color = new Color(png.getRGB(x, y));
            assertTrue(isSeriesBlue(color), "the PNG has the marker of " + finite[point] + " at (" + x + ", " + y
                    + "): " + color);
        }
    }

    /**
     * Without trusting any label: the markers' heights are an affine image of the values, lower values lower. XChart
     * 3.8.8 alone drew every all-negative line flat at its maximum.
     */
    @ParameterizedTest
    @EnumSource(value = Data.class, names = {"CONSTANT"}, mode = EnumSource.Mode.EXCLUDE)
    void lineHeightsAreProportionalToTheValues(Data data) throws Exception {
        RenderedPlot plot = renderer.render(Plots.line("shape " + data, "pos", Plots.indexTicks(4), data.values),
                directory, "shape");
        List<Double> rows = new ArrayList<>();
        for (Element ellipse : elements(parse(plot.svgFiles().get(0)), "ellipse")) {
            if (ellipse.getAttribute("style").contains(SERIES_FILL)) {
                rows.add(Double.parseDouble(ellipse.getAttribute("cy")));
            }
        }
        double[] finite = Arrays.stream(data.values).filter(Double::isFinite).toArray();
        assertEquals(finite.length, rows.size(), "one marker per finite value: " + rows);
        int low = 0;
        int high = 0;
        for (int point = 0; point < finite.length; point++) {
            low = finite[point] < finite[low] ? point : low;
            high = finite[point] > finite[high] ? point : high;
        }
        double pixelsPerUnit = (rows.get(low) - rows.get(high)) / (finite[high] - finite[low]);
        assertTrue(pixelsPerUnit * (finite[high] - finite[low]) > 100, "the lowest value " + finite[low]
                + " is drawn well below the highest " + finite[high] + ": rows " + rows);
        for (int point = 0; point < finite.length; point++) {
            double expected = rows.get(low) - (finite[point] - finite[low]) * pixelsPerUnit;
            assertEquals(expected, rows.get(point), 1, "marker of " + finite[point] + " in " + Arrays.toString(
                    finite) + ": rows " + rows);
        }
    }

    @ParameterizedTest
    @EnumSource(Data.class)
    void barEndsSitAtTheirValues(Data data) throws Exception {
        RenderedPlot plot = renderer.render(Plots.bar("bar " + data, "head", Plots.indexTicks(4), data.values),
                directory, "bar");
        Document svg = parse(plot.svgFiles().get(0));
        String desc = text(svg, "desc");
        assertTrue(desc.contains("y axis from " + data.barRange + ";") && desc.contains("bars start at "
                + data.barStart), "range " + data.barRange + ", start " + data.barStart + " in: " + desc);
        YAxis axis = yAxis(svg, desc);
        double start = axis.pixel(Double.parseDouble(data.barStart));

        List<double[]> bars = new ArrayList<>();
        Pattern corners = Pattern.compile("M([-0-9.]+),([-0-9.]+) L([-0-9.]+),([-0-9.]+) L([-0-9.]+),([-0-9.]+)"
                + " L([-0-9.]+),([-0-9.]+) Z");
        for (Element path : elements(svg, "path")) {
            Matcher bar = corners.matcher(path.getAttribute("d"));
            if (path.getAttribute("style").contains(SERIES_FILL) && bar.matches()) {
                double top = Double.parseDouble(bar.group(2));
                double bottom = Double.parseDouble(bar.group(6));
                double middle = (Double.parseDouble(bar.group(1)) + Double.parseDouble(bar.group(3))) / 2;
                // One end of every bar is its start; the other is its value.
                boolean topIsStart = Math.abs(top - start) < Math.abs(bottom - start);
                assertEquals(start, topIsStart ? top : bottom, 1, "bar starts at " + data.barStart + ": " + path
                        .getAttribute("d"));
                bars.add(new double[] {middle, topIsStart ? bottom : top});
            }
        }
        double[] finite = Arrays.stream(data.values).filter(Double::isFinite).toArray();
        assertEquals(finite.length, bars.size(), "one bar per finite value of " + Arrays.toString(data.values));
        BufferedImage png = png(plot.pngFiles().get(0));
        for (int bar = 0; bar < finite.length; bar++) {
            double drawn = axis.value(bars.get(bar)[1]);
            assertEquals(finite[bar], drawn, axis.perPixel(), "bar " + bar + " of " + data + " ends at " + drawn
                    + " where the value is " + finite[bar] + " (ticks " + axis + ")");
            int x = (int) Math.round(bars.get(bar)[0]);
            double end = axis.pixel(finite[bar]);
            int inside = (int) Math.round(end + Math.signum(start - end) * 3);
            int outside = (int) Math.round(end - Math.signum(start - end) * 3);
            assertTrue(isSeriesBlue(new Color(png.getRGB(x, inside))) && !isSeriesBlue(new Color(png.getRGB(x,
                    outside))), "the PNG's bar of " + finite[bar] + " ends at y " + end + ": inside (" + inside + ") "
                    + new Color(png.getRGB(x, inside)) + ", outside (" + outside + ") "
                    + new Color(png.getRGB(x, outside)));
        }
    }

    @ParameterizedTest
    @EnumSource(Data.class)
    void heatmapCellsTakeTheirValuesColours(Data data) throws Exception {
        RenderedPlot plot = renderer.render(Plots.heatmap("heatmap " + data, "layer", List.of("0"), "head",
                Plots.indexTicks(4), new double[][] {data.values}), directory, "heatmap");
        String desc = text(parse(plot.svgFiles().get(0)), "desc");
        Matcher scale = Pattern.compile("colour scale: (.*) from ([-0-9.]+) to ([-0-9.]+)$").matcher(desc);
        assertTrue(scale.find() && (scale.group(2) + " to " + scale.group(3)).equals(data.scaleRange),
                "scale " + data.scaleRange + " in: " + desc);
        Color[] stops = scale.group(1).startsWith("diverging") ? ColorScale.BLUE_WHITE_RED : ColorScale.VIRIDIS;
        double min = Double.parseDouble(scale.group(2));
        double max = Double.parseDouble(scale.group(3));

        BufferedImage png = png(plot.pngFiles().get(0));
        List<Color> cells = cells(png, png.getHeight() / 2);
        assertEquals(4, cells.size(), "four cells across the middle: " + cells);
        for (int cell = 0; cell < 4; cell++) {
            double value = data.values[cell];
            Color expected = Double.isFinite(value) ? interpolate(stops, (value - min) / (max - min))
                    : PanelChart.MISSING_VALUE;
            assertClose(expected, cells.get(cell), "cell " + cell + " of " + data + " (" + value + ")");
        }
    }

    /** Attention's scale is 0 to 1 whatever the data; the kinds of data it accepts are read back the same way. */
    @ParameterizedTest
    @EnumSource(value = Data.class, names = {"ALL_POSITIVE", "CONSTANT", "TINY_RANGE", "WITH_NAN"})
    void attentionCellsTakeTheirWeightsColours(Data data) throws Exception {
        // Weights: the positive case as is, the others moved into [0, 1] keeping their shape.
        double[] weights = switch (data) {
            case CONSTANT -> new double[] {0.25, 0.25, 0.25, 0.25};
            case TINY_RANGE -> Arrays.stream(data.values).map(value -> value - 0.7).toArray();
            case WITH_NAN -> new double[] {0.9, Double.NaN, 0.6, 0.8};
            default -> data.values;
        };
        PlotRequest request = new PlotRequest(PlotKind.ATTENTION, "attention " + data, "query", "key",
                List.of("a", "b"), List.of("a", "b"), List.of(new Panel("", new double[][] {
                    {weights[0], weights[1]}, {weights[2], weights[3]}})));
        BufferedImage png = png(renderer.render(request, directory, "attention").pngFiles().get(0));

        List<Integer> rows = runMiddles(png, false, png.getWidth() / 3);
        assertEquals(2, rows.size(), "two query rows");
        for (int row = 0; row < 2; row++) {
            List<Color> cells = cells(png, rows.get(row));
            assertEquals(2, cells.size(), "two keys in row " + row + ": " + cells);
            for (int key = 0; key < 2; key++) {
                double weight = weights[row * 2 + key];
                Color expected = Double.isFinite(weight) ? interpolate(ColorScale.WHITE_BLUE, weight)
                        : PanelChart.MISSING_VALUE;
                assertClose(expected, cells.get(key), "attention [" + row + "][" + key + "] = " + weight);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Data.class, names = {"ALL_NEGATIVE", "MIXED"})
    void attentionRefusesNegativeWeights(Data data) {
        double[][] pattern = {{data.values[0], data.values[1]}, {data.values[2], data.values[3]}};
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Plots.attention("negative", List.of("a", "b"), pattern));
        assertTrue(error.getMessage().startsWith("pattern[0][0] is " + data.values[0]), error.getMessage());
    }

    // ----- reading the y axis back -----

    /** The drawn y ticks: pixel row and value of each, from the tick marks and the description's labels. */
    private record YAxis(double[] pixels, double[] values) {
        double value(double pixel) {
            return values[0] + (pixel - pixels[0]) * (values[values.length - 1] - values[0])
                    / (pixels[pixels.length - 1] - pixels[0]);
        }

        double pixel(double value) {
            return pixels[0] + (value - values[0]) * (pixels[pixels.length - 1] - pixels[0])
                    / (values[values.length - 1] - values[0]);
        }

        double perPixel() {
            return Math.abs((values[values.length - 1] - values[0]) / (pixels[pixels.length - 1] - pixels[0]));
        }

        @Override
        public String toString() {
            return Arrays.toString(values) + " at rows " + Arrays.toString(pixels);
        }
    }

    private static YAxis yAxis(Document svg, String desc) throws Exception {
        Matcher listed = Pattern.compile("y ticks: (\\[[^\\]]*\\])").matcher(desc);
        assertTrue(listed.find(), "the description lists the y ticks: " + desc);
        List<String> labels = Json.MAPPER.readValue(listed.group(1), new TypeReference<List<String>>() {});
        assertReadable(labels);

        // Tick marks: short horizontal strokes left of the plot, one per label, top to bottom.
        double frameLeft = frame(svg)[0];
        List<Double> marks = new ArrayList<>();
        for (Element line : elements(svg, "line")) {
            double x1 = Double.parseDouble(line.getAttribute("x1"));
            double x2 = Double.parseDouble(line.getAttribute("x2"));
            double y1 = Double.parseDouble(line.getAttribute("y1"));
            if (y1 == Double.parseDouble(line.getAttribute("y2")) && Math.abs(x2 - x1) < 5 && x2 <= frameLeft) {
                marks.add(y1);
            }
        }
        marks.sort(null);
        assertEquals(labels.size(), marks.size(), "a tick mark per tick label " + labels + ": " + marks);
        double[] pixels = marks.stream().mapToDouble(Double::doubleValue).toArray();
        double[] values = new double[labels.size()];
        for (int tick = 0; tick < values.length; tick++) {
            // Labels ascend; marks descend the picture, so the largest value has the smallest row.
            values[tick] = Double.parseDouble(labels.get(labels.size() - 1 - tick));
        }
        YAxis axis = new YAxis(pixels, values);
        for (int tick = 0; tick < values.length; tick++) {
            assertEquals(pixels[tick], axis.pixel(values[tick]), 0.5, "ticks are evenly spaced: " + axis);
        }
        return axis;
    }

    /** Plain numbers, the same number of decimals each, no exponent, ascending, each a distinct value. */
    private static void assertReadable(List<String> labels) {
        assertTrue(labels.size() >= 3, "at least three y ticks: " + labels);
        int decimals = decimals(labels.get(0));
        for (int tick = 0; tick < labels.size(); tick++) {
            String label = labels.get(tick);
            assertTrue(label.matches("-?\\d+(\\.\\d+)?"), "tick " + label + " is a plain number: " + labels);
            assertEquals(decimals, decimals(label), "tick " + label + " has as many decimals as the first: "
                    + labels);
            assertTrue(label.length() <= 12, "tick " + label + " is short: " + labels);
            if (tick > 0) {
                assertTrue(Double.parseDouble(label) > Double.parseDouble(labels.get(tick - 1)),
                        "ticks ascend: " + labels);
            }
        }
    }

    private static int decimals(String label) {
        int point = label.indexOf('.');
        return point < 0 ? 0 : label.length() - point - 1;
    }

    /** The plot area's frame: x, y, width, height. */
    private static double[] frame(Document svg) {
        for (Element rect : elements(svg, "rect")) {
            if (rect.getAttribute("style").startsWith("fill:none;stroke:rgb(130,130,130)")) {
                return new double[] {Double.parseDouble(rect.getAttribute("x")),
                    Double.parseDouble(rect.getAttribute("y")), Double.parseDouble(rect.getAttribute("width")),
                    Double.parseDouble(rect.getAttribute("height"))};
            }
        }
        return fail("no plot frame in the SVG");
    }

    // ----- colours -----

    /** Linear interpolation between evenly spaced stops, clamped at the ends: how a colour scale is defined. */
    private static Color interpolate(Color[] stops, double fraction) {
        double position = Math.max(0, Math.min(1, fraction)) * (stops.length - 1);
        int low = Math.min(stops.length - 2, (int) Math.floor(position));
        double t = position - low;
        return new Color(mix(stops[low].getRed(), stops[low + 1].getRed(), t),
                mix(stops[low].getGreen(), stops[low + 1].getGreen(), t),
                mix(stops[low].getBlue(), stops[low + 1].getBlue(), t));
    }

    private static int mix(int from, int to, double t) {
        return (int) Math.round(from + (to - from) * t);
    }

    private static void assertClose(Color expected, Color actual, String what) {
        int distance = Math.max(Math.abs(expected.getRed() - actual.getRed()), Math.max(Math.abs(expected.getGreen()
                - actual.getGreen()), Math.abs(expected.getBlue() - actual.getBlue())));
        assertTrue(distance <= 3, what + " is " + actual + ", expected " + expected);
    }

    /** Markers and bars: XChart's first series blue, blended over white or grid lines. */
    private static boolean isSeriesBlue(Color color) {
        return color.getBlue() > 200 && color.getRed() < 120 && color.getGreen() < 150;
    }

    /** The colours of the cells (runs of one colour at least 40 pixels long) along row {@code y}. */
    private static List<Color> cells(BufferedImage image, int y) {
        List<Color> colors = new ArrayList<>();
        int start = 0;
        for (int x = 1; x <= image.getWidth(); x++) {
            if (x == image.getWidth() || image.getRGB(x, y) != image.getRGB(x - 1, y)) {
                if (x - start >= 40 && image.getRGB(x - 1, y) != Color.WHITE.getRGB() || x - start >= 40
                        && start > 60 && x < image.getWidth() - 150) {
                    colors.add(new Color(image.getRGB(x - 1, y)));
                }
                start = x;
            }
        }
        return colors;
    }

    private static List<Integer> runMiddles(BufferedImage image, boolean horizontal, int at) {
        int size = horizontal ? image.getWidth() : image.getHeight();
        List<Integer> middles = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= size; i++) {
            int previous = horizontal ? image.getRGB(i - 1, at) : image.getRGB(at, i - 1);
            if (i == size || (horizontal ? image.getRGB(i, at) : image.getRGB(at, i)) != previous) {
                if (i - start >= 100) {
                    middles.add(start + (i - start) / 2);
                }
                start = i;
            }
        }
        return middles;
    }

    // ----- files -----

    private static BufferedImage png(Path file) throws Exception {
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "a readable PNG: " + file);
        return image;
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }

    private static String text(Document svg, String element) {
        NodeList nodes = svg.getElementsByTagNameNS(SVG, element);
        assertEquals(1, nodes.getLength(), "one <" + element + ">");
        return nodes.item(0).getTextContent();
    }

    private static List<Element> elements(Document svg, String name) {
        NodeList nodes = svg.getElementsByTagNameNS(SVG, name);
        return IntStream.range(0, nodes.getLength()).mapToObj(index -> (Element) nodes.item(index)).toList();
    }

    static {
        assertFalse(Data.values().length == 0);
    }
}
