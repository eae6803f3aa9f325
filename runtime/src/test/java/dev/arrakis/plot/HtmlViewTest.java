package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import dev.arrakis.plot.PlotRenderException.Problem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The page as text: structure, escaping, determinism, files and argument checks. The browser test runs it. */
class HtmlViewTest {
    private static final Pattern DATA_BLOCK = Pattern.compile(
            "<script type=\"application/json\" id=\"arrakis-data\">(.*?)</script>", Pattern.DOTALL);
    /** Tokens that would break a page built by string concatenation. */
    static final List<String> HOSTILE_TOKENS = List.of("</script><script>alert(1)</script>", "<!--", " &amp;",
            "<b>", "\u0120x", "{{data}}", "\\u003C", "line\nbreak");

    @TempDir
    Path directory;

    @Test
    void tokensTravelAsInertJsonAndReadBackAsShown() throws Exception {
        HtmlView view = HtmlView.attention("hostile", HOSTILE_TOKENS, List.of("L0H0"), uniform(HOSTILE_TOKENS.size()));
        String html = view.html();

        assertEquals(2, count(html, "</script"), "only the page's own two script elements close");
        assertEquals(1, count(html, "<!--"), "only the page's own comment opens one");
        JsonNode data = data(html);
        List<String> tokens = new ArrayList<>();
        data.get("tokens").forEach(token -> tokens.add(token.textValue()));
        // As shown: the leading space, the backslash and the newline made visible, the markup left inert as is.
        assertEquals(List.of("</script><script>alert(1)</script>", "<!--", "\u00B7&amp;", "<b>", "\u0120x",
                "{{data}}", "\\\\u003C", "line\\nbreak"), tokens);
        assertEquals(0.125, data.at("/attention/heads/0/pattern/7/3").doubleValue());
        assertFalse(data.has("values"), "a section left out is absent, not null");
    }

    @Test
    void titleIsEscapedAndThePageNamesNoUrl() {
        String html = HtmlView.tokenValues("a <i>title</i> & \"more\"", List.of("x"), Map.of("v", new double[] {1}))
                .html();

        assertTrue(html.contains("<title>a &lt;i&gt;title&lt;/i&gt; &amp; &quot;more&quot;</title>"), html);
        assertFalse(html.contains("<i>"), html);
        for (String reference : List.of("http:", "https:", "//cdn", "<link", " src=", "@import", "url(")) {
            assertFalse(html.contains(reference), "the page references nothing outside itself: " + reference);
        }
        assertTrue(html.contains("default-src 'none'"), "the content security policy forbids fetching: " + html);
    }

    @Test
    void sameInputGivesSameBytes() throws Exception {
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("attribution", new double[] {-0.5, 0.25, 1.0 / 3});
        series.put("activation", new double[] {2, 0, -2});
        HtmlView first = HtmlView.tokenValues("values", List.of("a", " b", "c"), series);
        HtmlView second = HtmlView.tokenValues("values", List.of("a", " b", "c"), series);

        assertEquals(first.html(), second.html());
        byte[] written = Files.readAllBytes(first.write(directory.resolve("one.html")));
        assertArrayEquals(written, Files.readAllBytes(second.write(directory.resolve("two.html"))));
        assertArrayEquals(first.html().getBytes(StandardCharsets.UTF_8), written);
        JsonNode values = data(first.html()).get("values");
        assertEquals("attribution", values.get(0).get("name").textValue());
        assertEquals("activation", values.get(1).get("name").textValue());
        assertEquals(-0.5, values.get(0).get("values").get(0).doubleValue());
    }

    @Test
    void writeCreatesTheDirectoryAndLeavesNoTemporaryFile() throws Exception {
        Path file = directory.resolve("deep/er/view.html");
        HtmlView view = HtmlView.tokenValues("t", List.of("x"), Map.of("v", new double[] {1}));

        assertEquals(file, view.write(file));
        Files.writeString(file, "stale");
        view.write(file);

        assertEquals(view.html(), Files.readString(file));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of("view.html"), files.map(path -> path.getFileName().toString()).toList());
        }
        Files.createDirectories(directory.resolve("taken"));
        PlotRenderException error = assertThrows(PlotRenderException.class,
                () -> view.write(directory.resolve("taken")));
        assertEquals(Problem.WRITE_FAILED, error.problem());
        assertTrue(error.getMessage().contains("is a directory"), error.getMessage());
    }

    @Test
    void attentionShapesAreChecked() {
        List<String> tokens = List.of("a", "b");
        double[][] good = {{1, 0}, {0.5, 0.5}};
        assertRejected(() -> HtmlView.attention("t", tokens, List.of(), new double[0][][]),
                "patternByHead is empty: patternByHead must be [heads][tokens][tokens]");
        assertRejected(() -> HtmlView.attention("t", tokens, List.of("h0"), new double[][][] {good, good}),
                "headLabels has 1 labels for 2 heads in patternByHead");
        assertRejected(() -> HtmlView.attention("t", tokens, List.of("h0", "h1"),
                new double[][][] {good, {{1, 0}}}),
                "patternByHead[1] has 1 query rows for 2 tokens; patternByHead must be [heads][tokens][tokens]");
        assertRejected(() -> HtmlView.attention("t", tokens, List.of("h0"), new double[][][] {{{1, 0}, {1}}}),
                "patternByHead[0][1] has 1 key weights for 2 tokens");
        assertRejected(() -> HtmlView.attention("t", tokens, List.of("h0"), new double[][][] {{{1, 0}, {2, 0}}}),
                "patternByHead[0][1][0] is 2.0: attention weights lie in [0, 1]");
        assertRejected(() -> HtmlView.attention("t", List.of(), List.of("h0"), new double[][][] {good}),
                "tokens is empty");
    }

    @Test
    void tokenValuesAreChecked() {
        List<String> tokens = List.of("a", "b");
        assertRejected(() -> HtmlView.tokenValues("t", tokens, Map.of()), "series is empty");
        assertRejected(() -> HtmlView.tokenValues("t", tokens, Map.of("loss", new double[] {1})),
                "series 'loss' has 1 values for 2 tokens");
        assertRejected(() -> HtmlView.tokenValues("t", tokens, Map.of("loss", new double[] {1, Double.NaN})),
                "series 'loss'[1] is NaN: values must be finite");
        List<String> withNull = new ArrayList<>(tokens);
        withNull.add(null);
        NullPointerException missing = assertThrows(NullPointerException.class,
                () -> HtmlView.tokenValues("t", withNull, Map.of("v", new double[3])));
        assertEquals("tokens[2]", missing.getMessage());
    }

    // ----- helpers -----

    static double[][][] uniform(int tokens) {
        double[][] pattern = new double[tokens][tokens];
        for (int query = 0; query < tokens; query++) {
            for (int key = 0; key <= query; key++) {
                pattern[query][key] = 1.0 / (query + 1);
            }
        }
        return new double[][][] {pattern};
    }

    private static JsonNode data(String html) throws Exception {
        Matcher block = DATA_BLOCK.matcher(html);
        assertTrue(block.find(), () -> "the page holds its data block: " + html);
        return Json.MAPPER.readTree(block.group(1));
    }

    private static int count(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static void assertRejected(Executable call, String expected) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, call);
        assertTrue(error.getMessage().contains(expected), "expected '" + expected + "' in: " + error.getMessage());
    }
}
