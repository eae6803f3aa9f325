package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.io.Json;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;

class PlotsTest {
    private static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";
    /** Markup, an entity, GPT-2's leading-space marker and a decoded leading space, a comma and quotes. */
    private static final List<String> TRICKY_TOKENS = List.of("<|endoftext|>", "<b>", " &amp;", "\u0120When",
            " Mary", "a, \"b\"");

    private final PlotRenderer renderer = new PlotRenderer();

    @TempDir
    Path directory;

    @BeforeAll
    static void headless() {
        System.setProperty("java.awt.headless", "true");
    }

    // ----- each factory renders -----

    @Test
    void lineWithNamedSeriesRendersWithLegendAndTicks() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put(" Mary", new double[] {0.1, 0.4, 1.2, 2.5});
        series.put(" John", new double[] {0.0, -0.2, -0.5, -1.1});
        PlotRequest request = Plots.line("Logit lens", "layer", Plots.indexTicks(4), series);

        assertEquals(PlotKind.LINE, request.kind());
        assertEquals(List.of(" Mary", " John"), request.rowTicks());
        assertEquals(List.of("0", "1", "2", "3"), request.columnTicks());
        RenderedPlot plot = renderer.render(request, directory, "lens");

        assertSize(plot, 800, 600);
        String desc = svgText(plot, "desc");
        assertEquals("Logit lens", svgText(plot, "title"));
        assertTrue(desc.contains("x axis: layer; y axis: value"), desc);
        assertTrue(desc.contains("x ticks: [\"0\",\"1\",\"2\",\"3\"]"), desc);
        assertTrue(desc.contains("series: [\" Mary\",\" John\"]"), desc);
    }

    @Test
    void singleLineAndBarRender() throws Exception {
        RenderedPlot line = renderer.render(Plots.line("Norm by layer", "layer", List.of("L0", "L1", "L2"),
                new double[] {1, 2, Double.NaN}), directory, "norm");
        assertSize(line, 800, 600);
        assertTrue(svgText(line, "desc").contains("x ticks: [\"L0\",\"L1\",\"L2\"]"), svgText(line, "desc"));

        RenderedPlot bar = renderer.render(Plots.bar("Head effect", "head", List.of("L0H0", "L0H1", "L1H0"),
                new double[] {0.5, -0.25, 1}), directory, "effect");
        assertSize(bar, 800, 600);
        assertEquals("Head effect", svgText(bar, "title"));
        assertTrue(svgText(bar, "desc").startsWith("bar chart; x axis: head; y axis: value"), svgText(bar, "desc"));
    }

    @Test
    void groupedBarsRender() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("clean", new double[] {1, 2});
        series.put("ablated", new double[] {0.5, 1.5});
        RenderedPlot plot = renderer.render(Plots.bar("Grouped", "head", List.of("h0", "h1"), series), directory,
                "grouped");
        assertSize(plot, 800, 600);
        assertTrue(svgText(plot, "desc").contains("series: [\"clean\",\"ablated\"]"), svgText(plot, "desc"));
    }

    @Test
    void heatmapHasLabelledAxesTicksAndADivergingScale() throws Exception {
        double[][] values = {{-1, 0.5, 0}, {2, -0.25, 1}};
        PlotRequest request = Plots.heatmap("Per-head effect", "layer", List.of("0", "1"), "head",
                List.of("h0", "h1", "h2"), values);
        values[0][0] = 99;

        assertEquals(-1, request.panels().get(0).values()[0][0], "the numbers are copied");
        RenderedPlot plot = renderer.render(request, directory, "heads");

        assertSize(plot, 800, 700);
        String desc = svgText(plot, "desc");
        assertTrue(desc.contains("x axis: head; y axis: layer"), desc);
        assertTrue(desc.contains("x ticks: [\"h0\",\"h1\",\"h2\"]; y ticks: [\"0\",\"1\"]"), desc);
        assertTrue(desc.contains("diverging blue-white-red") && desc.contains("from -2.0 to 2.0"), desc);
    }

    @Test
    void attentionLabelsBothAxesWithTheTokensExactly() throws Exception {
        int n = TRICKY_TOKENS.size();
        double[][] pattern = new double[n][n];
        for (int query = 0; query < n; query++) {
            for (int key = 0; key <= query; key++) {
                pattern[query][key] = 1.0 / (query + 1);
            }
        }
        PlotRequest request = Plots.attention("Attention L0H1 <causal>", TRICKY_TOKENS, pattern);

        assertEquals(PlotKind.ATTENTION, request.kind());
        assertEquals(TRICKY_TOKENS, request.rowTicks());
        assertEquals(TRICKY_TOKENS, request.columnTicks());
        RenderedPlot plot = renderer.render(request, directory, "attention");

        assertSize(plot, 800, 700);
        assertEquals("Attention L0H1 <causal>", svgText(plot, "title"));
        String desc = svgText(plot, "desc");
        String tokensJson = Json.MAPPER.writeValueAsString(TRICKY_TOKENS);
        assertTrue(desc.contains("x axis: key; y axis: query"), desc);
        assertTrue(desc.contains("x ticks: " + tokensJson) && desc.contains("y ticks: " + tokensJson), desc);
        assertEquals(TRICKY_TOKENS, List.of(Json.MAPPER.readValue(tokensJson, String[].class)),
                "the JSON in the description reads back as the very tokens");
    }

    @Test
    void attentionOfSeveralHeadsIsOneFigureWithAGridOfHeads() throws Exception {
        List<String> tokens = List.of("a", "b");
        double[][][] heads = {{{1, 0}, {0.5, 0.5}}, {{1, 0}, {0, 1}}};
        RenderedPlot plot = renderer.render(Plots.attention("Layer 0", tokens, List.of("L0H0", "L0H1"), heads),
                directory, "layer0");

        assertEquals(1, plot.images().size(), "one figure: " + plot.files());
        assertEquals(List.of(directory.resolve("layer0.png"), directory.resolve("layer0.svg")), plot.files());
        // Two heads side by side under a title band: 2 x 560 wide, 40 + 500 high.
        assertSize(plot, 1120, 540);
        String desc = svgText(plot, "desc");
        assertTrue(desc.startsWith("grid of 2 panels, 2 across, left to right then down: [\"L0H0\",\"L0H1\"]"),
                desc);
        assertEquals("Layer 0", svgText(plot, "title"));
    }

    @Test
    void aBatchByHeadPatternGivesOneGridPerBatchRow() throws Exception {
        // Head h of every row attends with weight (h + 1) / 4 everywhere, so each cell's colour names its head.
        List<PlotRequest.Panel> panels = new java.util.ArrayList<>();
        for (int batch = 0; batch < 4; batch++) {
            for (int head = 0; head < 4; head++) {
                double weight = (head + 1) / 4.0;
                panels.add(new PlotRequest.Panel("batch=" + batch + ", head=" + head,
                        new double[][] {{weight, weight}, {weight, weight}}));
            }
        }
        PlotRequest request = new PlotRequest(PlotKind.ATTENTION, "pattern", "query_pos", "key_pos",
                List.of(" x", "y"), List.of(" x", "y"), panels);

        RenderedPlot plot = renderer.render(request, directory, "pattern");

        assertEquals(8, plot.files().size(), "four figures of PNG and SVG, not 32 files: " + plot.files());
        for (int batch = 0; batch < 4; batch++) {
            RenderedPlot.Image figure = plot.images().get(batch);
            assertEquals("batch=" + batch, figure.panelTitle());
            assertEquals(directory.resolve("pattern-" + (batch + 1) + ".png"), figure.png());
            java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(figure.png().toFile());
            assertEquals(1120, image.getWidth(), "2 x 2 heads, 560 wide each");
            assertEquals(1040, image.getHeight(), "a 40 pixel title band and 2 x 500");
            for (int head = 0; head < 4; head++) {
                int left = (head % 2) * 560;
                int top = 40 + (head / 2) * 500;
                java.awt.Color common = mostCommonColor(image, left, top, 560, 500);
                java.awt.Color expected = ColorScale.WHITE_BLUE[(head + 1) * 2];
                assertTrue(Math.abs(common.getRed() - expected.getRed()) <= 2 && Math.abs(common.getBlue()
                        - expected.getBlue()) <= 2, "batch " + batch + ", head " + head + " cell colour " + common
                        + ", expected " + expected);
            }
        }
    }

    private static java.awt.Color mostCommonColor(java.awt.image.BufferedImage image, int left, int top, int width,
            int height) {
        java.util.Map<Integer, Integer> counts = new java.util.HashMap<>();
        for (int y = top; y < top + height; y += 2) {
            for (int x = left; x < left + width; x += 2) {
                counts.merge(image.getRGB(x, y), 1, Integer::sum);
            }
        }
        return new java.awt.Color(java.util.Collections.max(counts.entrySet(),
                java.util.Map.Entry.comparingByValue()).getKey());
    }

    // ----- bad input -----

    @Test
    void raggedMatrixIsNamed() {
        assertRejected(() -> Plots.heatmap("t", "layer", List.of("0", "1"), "head", List.of("0", "1"),
                new double[][] {{1, 2}, {3}}), "values is ragged: row 1 has 1 values where row 0 has 2");
        assertRejected(() -> Plots.attention("t", List.of("a", "b"), new double[][] {{1, 0}, {1}}),
                "pattern is ragged");
    }

    @Test
    void tickCountMismatchIsNamed() {
        assertRejected(() -> Plots.heatmap("t", "layer", List.of("0"), "head", List.of("0", "1"),
                new double[][] {{1, 2}, {3, 4}}), "rowTicks has 1 labels for 2 rows of values");
        assertRejected(() -> Plots.heatmap("t", "layer", List.of("0", "1"), "head", List.of("0", "1", "2"),
                new double[][] {{1, 2}, {3, 4}}), "columnTicks has 3 labels for 2 columns of values");
        assertRejected(() -> Plots.line("t", "layer", List.of("0", "1"), new double[] {1, 2, 3}),
                "xTicks has 2 labels for 3 values");
        Map<String, double[]> uneven = new LinkedHashMap<>();
        uneven.put("a", new double[] {1, 2});
        uneven.put("b", new double[] {1, 2, 3});
        assertRejected(() -> Plots.bar("t", "head", List.of("0", "1"), uneven),
                "series 'b' has 3 values where xTicks has 2 labels");
        assertRejected(() -> Plots.attention("t", List.of("a"), new double[][] {{1, 0}, {0.5, 0.5}}),
                "tokens has 1 labels for 2 queries and keys in pattern");
        assertRejected(() -> Plots.attention("t", List.of("a", "b"), List.of("L0H0"),
                new double[][][] {{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}}), "headLabels has 1 labels for 2 heads");
    }

    @Test
    void emptyInputIsNamed() {
        assertRejected(() -> Plots.heatmap("t", "r", List.of(), "c", List.of(), new double[0][0]),
                "values is empty");
        assertRejected(() -> Plots.heatmap("t", "r", List.of("0"), "c", List.of(), new double[][] {{}}),
                "values is empty: its rows have no columns");
        assertRejected(() -> Plots.line("t", "x", List.of(), Map.of()), "series is empty");
        assertRejected(() -> Plots.bar("t", "x", List.of(), new double[0]), "values is empty");
        assertRejected(() -> Plots.attention("t", List.of(), new double[0][0]), "tokens is empty");
        assertRejected(() -> Plots.attention("t", List.of(), List.of(), new double[0][][]), "patternByHead is empty");
    }

    @Test
    void unusableNumbersAreNamed() {
        assertRejected(() -> Plots.line("t", "x", List.of("0", "1"), new double[] {Double.NaN, Double.NaN}),
                "values holds no finite number");
        assertRejected(() -> Plots.attention("t", List.of("a", "b"), new double[][] {{1, 0}, {0.5, 0.5}, {1, 0}}),
                "pattern is 3 x 2: an attention pattern is square");
        assertRejected(() -> Plots.attention("t", List.of("a", "b"), new double[][] {{1, 0}, {1.5, -0.5}}),
                "pattern[1][0] is 1.5: attention weights lie in [0, 1]");
        assertRejected(() -> Plots.attention("t", List.of("a", "b"), List.of("h0", "h1"),
                new double[][][] {{{1, 0}, {0, 1}}, {{1, 0}, {0, Double.NaN}}}), "patternByHead[1][1][1] is NaN");
        assertRejected(() -> Plots.indexTicks(-1), "count must not be negative");
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> Plots.heatmap("t", "r", null, "c", List.of("0"), new double[][] {{1}}));
        assertEquals("rowTicks", missing.getMessage());
    }

    // ----- helpers -----

    private static void assertRejected(Executable call, String expected) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
        assertTrue(error.getMessage().contains(expected), "expected '" + expected + "' in: " + error.getMessage());
    }

    private static void assertSize(RenderedPlot plot, int width, int height) throws Exception {
        for (RenderedPlot.Image image : plot.images()) {
            BufferedImage png = ImageIO.read(image.png().toFile());
            assertNotNull(png, "ImageIO reads " + image.png());
            assertEquals(width, png.getWidth(), "width of " + image.png());
            assertEquals(height, png.getHeight(), "height of " + image.png());
            assertEquals(width, image.width());
            assertEquals(height, image.height());
        }
    }

    private static String svgText(RenderedPlot plot, String element) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document svg = factory.newDocumentBuilder().parse(plot.svgFiles().get(0).toFile());
        var nodes = svg.getElementsByTagNameNS(SVG_NAMESPACE, element);
        assertEquals(1, nodes.getLength(), "one <" + element + ">");
        return nodes.item(0).getTextContent();
    }
}
