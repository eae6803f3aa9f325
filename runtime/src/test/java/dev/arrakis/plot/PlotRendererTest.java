package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.plot.PlotRenderException.Problem;
import dev.arrakis.plot.PlotRequest.Panel;
import java.awt.Color;
import java.awt.GraphicsEnvironment;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class PlotRendererTest {
    private static final String SVG_NAMESPACE = "http://www.w3.org/2000/svg";

    private final PlotRenderer renderer = new PlotRenderer();

    @TempDir
    Path directory;

    @BeforeAll
    static void requireHeadless() {
        System.setProperty("java.awt.headless", "true");
        assertTrue(PlotRenderer.headless(), "plots are drawn without a display");
        assertTrue(GraphicsEnvironment.isHeadless(), "java.awt.headless=" + System.getProperty("java.awt.headless"));
    }

    // ----- one request of each kind -----

    @Test
    void lineChartHasOneSeriesPerRowOverTheColumns() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.LINE, "Logit difference by layer", "head", "layer",
                List.of("0", "1"), List.of("0", "1", "2", "3", "4"),
                List.of(new Panel("", new double[][] {{0.1, 0.5, 1.5, 2.0, 2.2}, {-0.3, 0.0, 0.4, Double.NaN, 1.0}})));

        RenderedPlot plot = renderer.render(request, directory, "logit-diff");

        assertEquals(List.of(directory.resolve("logit-diff.png"), directory.resolve("logit-diff.svg")), plot.files());
        BufferedImage image = readPng(plot.pngFiles().get(0));
        assertEquals(800, image.getWidth());
        assertEquals(600, image.getHeight());
        assertDrawn(image);
        assertTrue(countReddish(image) + countBluish(image) > 50, "the two series are drawn in colour: "
                + countReddish(image) + " reddish and " + countBluish(image) + " bluish pixels");
        Document svg = readSvg(plot.svgFiles().get(0), 800, 600);
        assertEquals("Logit difference by layer", svgText(svg, "title"));
        assertTrue(svgText(svg, "desc").contains("x axis: layer"), svgText(svg, "desc"));
        assertTrue(svgText(svg, "desc").contains("y axis: value"), svgText(svg, "desc"));
        assertTrue(svgText(svg, "desc").contains("one series per head"), svgText(svg, "desc"));
    }

    @Test
    void barChartOverTheColumnTicks() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.BAR, "Head ablation effect", "", "head", List.of(),
                List.of("h0", "h1", "h2", "h3"), List.of(new Panel("", new double[][] {{0.5, -0.25, 1.0, 0.0}})));

        RenderedPlot plot = renderer.render(request, directory, "ablation");

        BufferedImage image = readPng(plot.pngFiles().get(0));
        assertEquals(PlotRenderer.imageWidth(PlotKind.BAR), image.getWidth());
        assertEquals(600, image.getHeight());
        assertDrawn(image);
        Document svg = readSvg(plot.svgFiles().get(0), 800, 600);
        assertEquals("Head ablation effect", svgText(svg, "title"));
        assertTrue(svgText(svg, "desc").contains("x axis: head; y axis: value"), svgText(svg, "desc"));
    }

    @Test
    void heatmapWithBothSignsIsBlueWhiteRedAroundZero() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.HEATMAP, "Signs", "layer", "head", List.of("0"),
                List.of("a", "b", "c"), List.of(new Panel("", new double[][] {{-1, 0, 1}})));

        RenderedPlot plot = renderer.render(request, directory, "signs");

        BufferedImage image = readPng(plot.pngFiles().get(0));
        assertEquals(800, image.getWidth());
        assertEquals(700, image.getHeight());
        List<Run> cells = longRuns(image, true, image.getHeight() / 2, 100);
        assertEquals(3, cells.size(), "three cells along the middle of the picture: " + cells);
        assertTrue(isBluish(cells.get(0).color()), "-1 is blue: " + cells.get(0));
        assertTrue(isNearWhite(cells.get(1).color()), "0 is white: " + cells.get(1));
        assertTrue(isReddish(cells.get(2).color()), "+1 is red: " + cells.get(2));
        assertEquals(cells.get(0).length(), cells.get(2).length(), 2, "cells are equally wide");
        Document svg = readSvg(plot.svgFiles().get(0), 800, 700);
        assertEquals("Signs", svgText(svg, "title"));
        String desc = svgText(svg, "desc");
        assertTrue(desc.contains("x axis: head") && desc.contains("y axis: layer"), desc);
        assertTrue(desc.contains("diverging blue-white-red") && desc.contains("from -1.0 to 1.0"), desc);
        List<String> fills = rectangleFills(svg);
        assertTrue(fills.containsAll(List.of("rgb(33,102,172)", "rgb(255,255,255)", "rgb(178,24,43)")),
                "the vector picture holds the same three cells: " + fills);
    }

    @Test
    void divergingScaleIsSymmetricSoZeroStaysWhite() throws Exception {
        // Unbalanced data: zero must still be the white midpoint, -0.25 pale blue, +1 full red.
        PlotRequest request = new PlotRequest(PlotKind.HEATMAP, "Unbalanced", "row", "column", List.of(),
                List.of(), List.of(new Panel("", new double[][] {{-0.25, 0, 1}})));

        BufferedImage image = readPng(renderer.render(request, directory, "unbalanced").pngFiles().get(0));

        List<Run> cells = longRuns(image, true, image.getHeight() / 2, 100);
        assertEquals(3, cells.size(), cells.toString());
        Color pale = cells.get(0).color();
        assertTrue(pale.getBlue() > pale.getRed() && pale.getRed() > 120, "-0.25 of ±1 is pale blue: " + pale);
        assertTrue(isNearWhite(cells.get(1).color()), "0 is white: " + cells.get(1));
        assertEquals(ColorScale.BLUE_WHITE_RED[ColorScale.BLUE_WHITE_RED.length - 1], cells.get(2).color());
    }

    @Test
    void heatmapOfOneSignIsSequentialWithRowsTopToBottom() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.HEATMAP, "Norms", "layer", "pos", List.of("L0", "L1"),
                List.of("p0", "p1"), List.of(new Panel("", new double[][] {{0, 1}, {2, 3}})));

        RenderedPlot plot = renderer.render(request, directory, "norms");

        BufferedImage image = readPng(plot.pngFiles().get(0));
        List<Run> columns = longRuns(image, true, image.getHeight() / 3, 100);
        assertEquals(2, columns.size(), columns.toString());
        List<Run> rows = longRuns(image, false, columns.get(0).middle(), 100);
        assertEquals(2, rows.size(), rows.toString());
        // Row 0 (values 0, 1) is on top; the smallest value takes viridis' first colour, the largest its last.
        assertEquals(ColorScale.VIRIDIS[0], rows.get(0).color(), "0 at top left");
        Color bottomRight = new Color(image.getRGB(columns.get(1).middle(), rows.get(1).middle()));
        assertEquals(ColorScale.VIRIDIS[ColorScale.VIRIDIS.length - 1], bottomRight, "3 at bottom right");
        String description = svgText(readSvg(plot.svgFiles().get(0), 800, 700), "desc");
        assertTrue(description.contains("sequential viridis"), description);
    }

    @Test
    void attentionIsQueryByKeyOnAFixedZeroToOneScale() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.ATTENTION, "Attention L0H1", "query_pos", "key_pos",
                List.of("<bos>", "When"), List.of("<bos>", "When"),
                List.of(new Panel("", new double[][] {{1.0, 0.0}, {0.5, 0.5}})));

        RenderedPlot plot = renderer.render(request, directory, "attention");

        BufferedImage image = readPng(plot.pngFiles().get(0));
        assertEquals(800, image.getWidth());
        assertEquals(700, image.getHeight());
        assertDrawn(image);
        List<Run> rowsOfFirstKey = longRuns(image, false, image.getWidth() / 3, 100);
        assertEquals(2, rowsOfFirstKey.size(), rowsOfFirstKey.toString());
        List<Run> firstQuery = longRuns(image, true, rowsOfFirstKey.get(0).middle(), 100);
        assertEquals(2, firstQuery.size(), firstQuery.toString());
        assertEquals(ColorScale.WHITE_BLUE[ColorScale.WHITE_BLUE.length - 1], firstQuery.get(0).color(), "1 is darkest");
        assertEquals(Color.WHITE, firstQuery.get(1).color(), "0 is white");
        Color half = rowsOfFirstKey.get(1).color();
        assertTrue(half.getBlue() > half.getRed() + 40 && half.getRed() > 40, "0.5 is mid blue: " + half);
        Document svg = readSvg(plot.svgFiles().get(0), 800, 700);
        assertEquals("Attention L0H1", svgText(svg, "title"));
        String desc = svgText(svg, "desc");
        assertTrue(desc.contains("x axis: key_pos; y axis: query_pos") && desc.contains("from 0 to 1"), desc);
    }

    // ----- panels, files -----

    @Test
    void severalPanelsGiveOneNumberedPicturePairEach() throws Exception {
        List<Panel> panels = IntStream.range(0, 3)
                .mapToObj(layer -> new Panel("layer=" + layer, new double[][] {{-layer, 1}, {0, layer}})).toList();
        PlotRequest request = new PlotRequest(PlotKind.HEATMAP, "Per layer", "pos", "head", List.of(), List.of(),
                panels);

        RenderedPlot plot = renderer.render(request, directory, "per-layer");

        assertEquals(3, plot.images().size());
        for (int panel = 0; panel < 3; panel++) {
            RenderedPlot.Image image = plot.images().get(panel);
            assertEquals("layer=" + panel, image.panelTitle());
            assertEquals(directory.resolve("per-layer-" + (panel + 1) + ".png"), image.png());
            assertEquals(directory.resolve("per-layer-" + (panel + 1) + ".svg"), image.svg());
            assertEquals("Per layer \u2014 layer=" + panel, svgText(readSvg(image.svg(), 800, 700), "title"));
            assertEquals(700, readPng(image.png()).getHeight());
        }
        assertEquals(Set.copyOf(plot.files()), listDirectory());
    }

    @Test
    void panelNumbersArePaddedSoNamesSortInPanelOrder() throws Exception {
        List<Panel> panels = IntStream.range(0, 10).mapToObj(i -> new Panel("batch=" + i, new double[][] {{i, 1}}))
                .toList();
        PlotRequest request = new PlotRequest(PlotKind.BAR, "Ten", "", "index", List.of(), List.of(), panels);

        RenderedPlot plot = renderer.render(request, directory, "ten");

        List<String> names = plot.pngFiles().stream().map(path -> path.getFileName().toString()).toList();
        assertEquals("ten-01.png", names.get(0));
        assertEquals("ten-10.png", names.get(9));
        assertEquals(names.stream().sorted().toList(), names);
    }

    @Test
    void sameRequestGivesSameBytesAndOverwritesInPlace() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.HEATMAP, "Same", "row", "column", List.of(), List.of(),
                List.of(new Panel("", new double[][] {{-2, 1}, {0.5, 3}})));
        RenderedPlot first = renderer.render(request, directory.resolve("a"), "same");
        RenderedPlot second = renderer.render(request, directory.resolve("b"), "same");
        for (int file = 0; file < 2; file++) {
            assertArrayEquals(Files.readAllBytes(first.files().get(file)), Files.readAllBytes(second.files().get(file)),
                    "deterministic " + first.files().get(file).getFileName());
        }

        Files.writeString(first.pngFiles().get(0), "stale");
        renderer.render(request, directory.resolve("a"), "same");
        assertArrayEquals(Files.readAllBytes(second.pngFiles().get(0)), Files.readAllBytes(first.pngFiles().get(0)));
        assertEquals(Set.of("same.png", "same.svg"), names(directory.resolve("a")), "no temporary file is left");
    }

    @Test
    void missingValuesAreGapsWhileFiniteOnesAreDrawn() throws Exception {
        PlotRequest line = new PlotRequest(PlotKind.LINE, "Gaps", "layer", "pos", List.of("0", "1"),
                List.of("a", "b", "c"), List.of(new Panel("", new double[][] {
                    {1, Double.NaN, 3}, {Double.NaN, Double.POSITIVE_INFINITY, Double.NaN}})));
        assertDrawn(readPng(renderer.render(line, directory, "gaps").pngFiles().get(0)));

        PlotRequest heatmap = new PlotRequest(PlotKind.HEATMAP, "Hole", "row", "column", List.of(), List.of(),
                List.of(new Panel("", new double[][] {{1, Double.NaN, 2}})));
        BufferedImage image = readPng(renderer.render(heatmap, directory, "hole").pngFiles().get(0));
        List<Run> cells = longRuns(image, true, image.getHeight() / 2, 100);
        assertEquals(3, cells.size(), cells.toString());
        assertEquals(PanelChart.MISSING_VALUE, cells.get(1).color(), "a NaN cell shows the grey background");
    }

    @Test
    void manyColumnsAndLongTokensStillDraw() throws Exception {
        int columns = 120;
        double[][] values = new double[3][columns];
        for (int row = 0; row < 3; row++) {
            for (int column = 0; column < columns; column++) {
                values[row][column] = Math.sin(row + column / 10.0);
            }
        }
        List<String> tokens = IntStream.range(0, columns).mapToObj(i -> "a rather long token number " + i).toList();
        PlotRequest request = new PlotRequest(PlotKind.LINE, "Long", "layer", "token", List.of("x", "x", "y"),
                tokens, List.of(new Panel("", values)));

        BufferedImage image = readPng(renderer.render(request, directory, "long").pngFiles().get(0));
        assertEquals(600, image.getHeight());
        assertDrawn(image);
        assertEquals("a rather long t\u2026", PanelChart.thin(tokens).get(0));
        assertEquals(40, PanelChart.thin(tokens).stream().filter(tick -> !tick.isBlank()).count());
    }

    @Test
    void svgEscapesMarkupInTitles() throws Exception {
        PlotRequest request = new PlotRequest(PlotKind.BAR, "a < b & \"c\"", "", "x<y", List.of(), List.of("1"),
                List.of(new Panel("", new double[][] {{2}})));
        Document svg = readSvg(renderer.render(request, directory, "markup").svgFiles().get(0), 800, 600);
        assertEquals("a < b & \"c\"", svgText(svg, "title"));
        assertTrue(svgText(svg, "desc").contains("x axis: x<y"), svgText(svg, "desc"));
    }

    // ----- bad input -----

    @Test
    void emptyPanelIsRejected() {
        PlotRenderException error = rejected(PlotKind.HEATMAP, "Empty", new double[0][0], Problem.EMPTY_PANEL);
        assertTrue(error.getMessage().contains("'Empty'") && error.getMessage().contains("is empty"),
                error.getMessage());
        rejected(PlotKind.LINE, "No columns", new double[][] {{}}, Problem.EMPTY_PANEL);
    }

    @Test
    void raggedRowsAreRejected() {
        PlotRenderException error = rejected(PlotKind.HEATMAP, "Ragged", new double[][] {{1, 2, 3}, {4, 5}},
                Problem.RAGGED_ROWS);
        assertTrue(error.getMessage().contains("ragged rows: row 1 has 2 values where row 0 has 3"),
                error.getMessage());
    }

    @Test
    void dataWithoutAFiniteValueIsRejected() {
        PlotRenderException error = rejected(PlotKind.LINE, "All NaN",
                new double[][] {{Double.NaN, Double.NaN}, {Double.NaN, Double.NaN}}, Problem.NO_FINITE_VALUES);
        assertTrue(error.getMessage().contains("'All NaN'") && error.getMessage().contains("no finite values"),
                error.getMessage());
        rejected(PlotKind.ATTENTION, "Infinite", new double[][] {{Double.POSITIVE_INFINITY}},
                Problem.NO_FINITE_VALUES);
    }

    @Test
    void panelsOfDifferentShapesAndMismatchedTicksAreRejected() throws IOException {
        PlotRequest shapes = new PlotRequest(PlotKind.HEATMAP, "Shapes", "r", "c", List.of(), List.of(),
                List.of(new Panel("layer=0", new double[][] {{1, 2}}), new Panel("layer=1", new double[][] {{1}})));
        PlotRenderException error = assertThrows(PlotRenderException.class,
                () -> renderer.render(shapes, directory, "shapes"));
        assertEquals(Problem.PANEL_SHAPE_MISMATCH, error.problem());
        assertTrue(error.getMessage().contains("panel 2 of 2 (layer=1) is 1 x 1 where panel 1 is 1 x 2"),
                error.getMessage());

        PlotRequest ticks = new PlotRequest(PlotKind.BAR, "Ticks", "", "head", List.of(), List.of("h0"),
                List.of(new Panel("", new double[][] {{1, 2}})));
        error = assertThrows(PlotRenderException.class, () -> renderer.render(ticks, directory, "ticks"));
        assertEquals(Problem.TICK_COUNT_MISMATCH, error.problem());
        assertTrue(error.getMessage().contains("1 column ticks for 2 columns"), error.getMessage());

        PlotRequest none = new PlotRequest(PlotKind.LINE, "None", "", "x", List.of(), List.of(), List.of());
        assertEquals(Problem.NO_PANELS,
                assertThrows(PlotRenderException.class, () -> renderer.render(none, directory, "none")).problem());
        assertEquals(Set.of(), names(directory), "nothing is written for bad data");
    }

    @Test
    void unwritableDirectoryIsRejected() throws IOException {
        Path file = Files.writeString(directory.resolve("occupied"), "not a directory");
        PlotRequest request = small("Blocked");

        PlotRenderException notDirectory = assertThrows(PlotRenderException.class,
                () -> renderer.render(request, file, "plot"));
        assertEquals(Problem.UNWRITABLE_DIRECTORY, notDirectory.problem());
        assertTrue(notDirectory.getMessage().contains("'Blocked'")
                && notDirectory.getMessage().contains("is not a directory"), notDirectory.getMessage());

        PlotRenderException underFile = assertThrows(PlotRenderException.class,
                () -> renderer.render(request, file.resolve("sub"), "plot"));
        assertEquals(Problem.UNWRITABLE_DIRECTORY, underFile.problem());
        assertTrue(underFile.getMessage().contains("cannot be created"), underFile.getMessage());
    }

    @Test
    void failedWriteLeavesNoPartialFile() throws IOException {
        // The PNG's name is taken by a non-empty directory, so moving the finished file into place fails.
        Files.createDirectories(directory.resolve("taken.png").resolve("inside"));

        PlotRenderException error = assertThrows(PlotRenderException.class,
                () -> renderer.render(small("Taken"), directory, "taken"));

        assertEquals(Problem.WRITE_FAILED, error.problem());
        assertTrue(error.getMessage().contains("'Taken'") && error.getMessage().contains("taken.png"),
                error.getMessage());
        assertEquals(Set.of("taken.png"), names(directory), "no temporary or half-written file remains");
    }

    @Test
    void baseNameMustBeAPlainFileName() {
        for (String bad : new String[] {"", " ", "..", "a/b", "a\\b"}) {
            PlotRenderException error = assertThrows(PlotRenderException.class,
                    () -> renderer.render(small("Named"), directory, bad), bad);
            assertEquals(Problem.BAD_FILE_NAME, error.problem(), bad);
            assertTrue(error.getMessage().contains("base name"), error.getMessage());
        }
    }

    // ----- helpers -----

    private PlotRenderException rejected(PlotKind kind, String title, double[][] values, Problem problem) {
        PlotRequest request = new PlotRequest(kind, title, "", "x", List.of(), List.of(),
                List.of(new Panel("", values)));
        PlotRenderException error = assertThrows(PlotRenderException.class,
                () -> renderer.render(request, directory, "bad"));
        assertEquals(problem, error.problem(), error.getMessage());
        assertEquals(title, error.plotTitle());
        assertTrue(error.getMessage().startsWith("cannot draw plot '" + title + "': "), error.getMessage());
        return error;
    }

    private static PlotRequest small(String title) {
        return new PlotRequest(PlotKind.LINE, title, "", "pos", List.of(), List.of(),
                List.of(new Panel("", new double[][] {{1, 2, 3}})));
    }

    private static BufferedImage readPng(Path file) throws IOException {
        BufferedImage image = ImageIO.read(file.toFile());
        assertNotNull(image, "a PNG ImageIO can read: " + file);
        return image;
    }

    /** Not blank: the picture has many colours, and coloured (not grey) pixels among them. */
    private static void assertDrawn(BufferedImage image) {
        Set<Integer> colors = new HashSet<>();
        int colored = 0;
        for (int y = 0; y < image.getHeight(); y += 2) {
            for (int x = 0; x < image.getWidth(); x += 2) {
                int rgb = image.getRGB(x, y) & 0xFFFFFF;
                colors.add(rgb);
                Color color = new Color(rgb);
                int spread = Math.max(color.getRed(), Math.max(color.getGreen(), color.getBlue()))
                        - Math.min(color.getRed(), Math.min(color.getGreen(), color.getBlue()));
                if (spread > 60) {
                    colored++;
                }
            }
        }
        assertTrue(colors.size() >= 8, "several distinct colours, found " + colors.size());
        assertTrue(colored > 20, "coloured pixels, found " + colored);
    }

    private static int countReddish(BufferedImage image) {
        return count(image, PlotRendererTest::isReddish);
    }

    private static int countBluish(BufferedImage image) {
        return count(image, PlotRendererTest::isBluish);
    }

    private static int count(BufferedImage image, java.util.function.Predicate<Color> test) {
        int count = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if (test.test(new Color(image.getRGB(x, y)))) {
                    count++;
                }
            }
        }
        return count;
    }

    private static boolean isBluish(Color color) {
        return color.getBlue() > color.getRed() + 80 && color.getBlue() > 120;
    }

    private static boolean isReddish(Color color) {
        return color.getRed() > color.getBlue() + 80 && color.getRed() > color.getGreen() + 80;
    }

    private static boolean isNearWhite(Color color) {
        return color.getRed() >= 240 && color.getGreen() >= 240 && color.getBlue() >= 240;
    }

    /** A stretch of one colour along a scan line. */
    private record Run(int start, int length, Color color) {
        int middle() {
            return start + length / 2;
        }
    }

    /** The runs of one colour at least {@code minLength} long along row {@code at} (or column, when vertical). */
    private static List<Run> longRuns(BufferedImage image, boolean horizontal, int at, int minLength) {
        int size = horizontal ? image.getWidth() : image.getHeight();
        List<Run> runs = new ArrayList<>();
        int start = 0;
        for (int i = 1; i <= size; i++) {
            int previous = horizontal ? image.getRGB(i - 1, at) : image.getRGB(at, i - 1);
            if (i == size || (horizontal ? image.getRGB(i, at) : image.getRGB(at, i)) != previous) {
                if (i - start >= minLength) {
                    runs.add(new Run(start, i - start, new Color(previous)));
                }
                start = i;
            }
        }
        return runs;
    }

    private static Document readSvg(Path file, int width, int height) throws Exception {
        String text = Files.readString(file, StandardCharsets.UTF_8);
        assertFalse(text.contains("<!DOCTYPE"), () -> "no DTD to fetch in " + file + ":\n" + text);
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document = factory.newDocumentBuilder().parse(file.toFile());
        Element root = document.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals(SVG_NAMESPACE, root.getNamespaceURI());
        assertEquals("0 0 " + width + " " + height, root.getAttribute("viewBox"));
        // Title and axis titles at least: XChart draws text as glyph outlines.
        int paths = document.getElementsByTagNameNS(SVG_NAMESPACE, "path").getLength();
        assertTrue(paths >= 3, "text drawn, but only " + paths + " paths in " + file);
        return document;
    }

    private static List<String> rectangleFills(Document document) {
        var rects = document.getElementsByTagNameNS(SVG_NAMESPACE, "rect");
        List<String> fills = new ArrayList<>();
        for (int i = 0; i < rects.getLength(); i++) {
            String style = ((Element) rects.item(i)).getAttribute("style");
            java.util.regex.Matcher fill = java.util.regex.Pattern.compile("fill:(rgb\\([0-9,]+\\))").matcher(style);
            if (fill.find()) {
                fills.add(fill.group(1));
            }
        }
        return fills;
    }

    private static String svgText(Document document, String element) {
        var nodes = document.getElementsByTagNameNS(SVG_NAMESPACE, element);
        assertEquals(1, nodes.getLength(), "one <" + element + ">");
        return nodes.item(0).getTextContent();
    }

    private Set<Path> listDirectory() throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return Set.copyOf(files.toList());
        }
    }

    private static Set<String> names(Path directory) throws IOException {
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(path -> path.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
