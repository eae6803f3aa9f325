package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;

/**
 * The HTML views in a real browser: the system's chromium, headless, driven through chromedriver
 * ({@link TestBrowser}). The pattern is small and hand-made, so every expected colour is derivable by hand.
 *
 * <p>Without chromium or chromedriver every test here fails, saying to run {@code tools/install-test-browser};
 * {@code -Darrakis.skipBrowserTests=true} skips them instead. Elsewhere than Debian, {@code -Darrakis.chromium=PATH}
 * and {@code -Darrakis.chromedriver=PATH} name the two programs (their major versions must match).
 */
class HtmlViewBrowserTest {
    static final String SKIP_PROPERTY = "arrakis.skipBrowserTests";
    /** Markup, an entity after a leading space, a closing script tag and GPT-2's leading-space marker. */
    static final List<String> TOKENS = List.of("<|endoftext|>", "<b>", " &amp;", "</script>", "\u0120Mary");
    /** As the page shows them: the leading space made visible, nothing else changed. */
    static final List<String> SHOWN_TOKENS = List.of("<|endoftext|>", "<b>", "\u00B7&amp;", "</script>", "\u0120Mary");
    /** Causal (nothing above the diagonal), rows summing to 1, picked so each query's strongest key is plain. */
    static final double[][] HEAD_0 = {
        {1, 0, 0, 0, 0},
        {0.75, 0.25, 0, 0, 0},
        {0.1, 0.6, 0.3, 0, 0},
        {0.05, 0.15, 0.7, 0.1, 0},
        {0.4, 0.1, 0.2, 0.2, 0.1},
    };
    static final double[][] HEAD_1 = {
        {1, 0, 0, 0, 0},
        {0.2, 0.8, 0, 0, 0},
        {0.5, 0.25, 0.25, 0, 0},
        {0.1, 0.2, 0.3, 0.4, 0},
        {0.05, 0.05, 0.1, 0.2, 0.6},
    };
    private static final Pattern CSS_COLOR =
            Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([0-9.]+))?\\)");

    @TempDir
    static Path workspace;

    private static WebDriver browser;
    /** Why the tests are skipped, when they are. */
    private static String skipReason;
    private static String attentionPage;
    private static String valuesPage;

    @BeforeAll
    static void startBrowser() throws IOException {
        List<String> missing = TestBrowser.missingPrograms();
        String missingReason = "the browser tests need chromium and chromedriver, but " + String.join(" and ", missing)
                + (missing.size() == 1 ? " is" : " are") + " missing: run tools/install-test-browser (or set -D"
                + SKIP_PROPERTY + "=true to skip these tests)";
        if (Boolean.getBoolean(SKIP_PROPERTY)) {
            skipReason = SKIP_PROPERTY + "=true" + (missing.isEmpty() ? "" : "; " + missingReason);
            return;
        }
        if (!missing.isEmpty()) {
            fail(missingReason);
        }

        attentionPage = HtmlView.attention("Layer 0 <heads> & more", TOKENS, List.of("L0H0", "L0H1"),
                new double[][][] {HEAD_0, HEAD_1}).write(workspace.resolve("attention.html")).toUri().toString();
        Map<String, double[]> series = new LinkedHashMap<>();
        series.put("attribution", new double[] {-2, -0.5, 0, 1, 2});
        series.put("flipped", new double[] {2, 0.5, 0, -1, -2});
        valuesPage = HtmlView.tokenValues("Per-token values", TOKENS, series)
                .write(workspace.resolve("values.html")).toUri().toString();

        browser = TestBrowser.start(Files.createDirectories(workspace.resolve("chromium-profile")), 1000, 700);
    }

    @BeforeEach
    void skipWhenAsked() {
        // Here rather than in startBrowser, so that each test is reported as skipped, with the reason.
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void tokenSpansShowExactlyTheGivenTokens() {
        browser.get(attentionPage);

        assertEquals("Layer 0 <heads> & more", browser.getTitle());
        assertEquals("Layer 0 <heads> & more", browser.findElement(By.tagName("h1")).getText());
        assertEquals(SHOWN_TOKENS, texts(tokens("attention-tokens")));
        List<String> buttons = browser.findElements(By.cssSelector("#attention .head-button")).stream()
                .map(WebElement::getText).toList();
        assertEquals(List.of("L0H0", "L0H1"), buttons);

        browser.get(valuesPage);
        assertEquals(SHOWN_TOKENS, texts(tokens("value-tokens")));
    }

    @Test
    void hoveringAQueryColoursEachKeyByHowMuchItAttendsThere() {
        browser.get(attentionPage);
        List<WebElement> spans = tokens("attention-tokens");

        for (int query : new int[] {3, 1}) {
            hover(spans.get(query));
            assertWeightsShown(spans, HEAD_0[query], "L0H0, query " + query);
        }
        hover(spans.get(3));
        double[] alpha = alphas(spans);
        assertEquals(2, strongest(alpha), "'\u00B7&amp;' (0.7) is the most intense key of query 3");
        assertEquals(0, alpha[4], "a later key, weight 0 in a causal pattern, stays transparent");
        assertEquals("L0H0, query 3 '</script>' attends to: '\u00B7&amp;' 0.700, '<b>' 0.150, '</script>' 0.100, "
                + "'<|endoftext|>' 0.050", readout("attention-readout"));
        assertEquals("'</script>' \u2192 '\u00B7&amp;': 0.700", spans.get(2).getDomAttribute("title"));
    }

    @Test
    void switchingHeadsRecoloursForTheOtherHead() {
        browser.get(attentionPage);
        List<WebElement> spans = tokens("attention-tokens");
        hover(spans.get(3));
        assertWeightsShown(spans, HEAD_0[3], "L0H0, query 3");

        browser.findElement(By.xpath("//button[text()='L0H1']")).click();

        assertWeightsShown(spans, HEAD_1[3], "L0H1, query 3, still the query after the click");
        assertEquals(3, strongest(alphas(spans)), "under L0H1 query 3 attends most to itself (0.4)");
        assertEquals("true", browser.findElement(By.xpath("//button[text()='L0H1']")).getDomAttribute("aria-pressed"));
        hover(spans.get(2));
        assertWeightsShown(spans, HEAD_1[2], "L0H1, query 2");
        assertTrue(readout("attention-readout")
                .startsWith("L0H1, query 2 '\u00B7&amp;' attends to: '<|endoftext|>' 0.500"),
                readout("attention-readout"));
    }

    @Test
    void aPinnedQueryShowsTheWeightOfEachHoveredKey() {
        browser.get(attentionPage);
        List<WebElement> spans = tokens("attention-tokens");

        spans.get(1).click();
        hover(spans.get(0));

        assertWeightsShown(spans, HEAD_0[1], "pinned query 1 keeps its colours while another token is hovered");
        assertEquals("L0H0: '<b>' \u2192 '<|endoftext|>': 0.750", readout("attention-readout"));
        spans.get(1).click();
        hover(spans.get(4));
        assertWeightsShown(spans, HEAD_0[4], "released, hovering makes a new query");
    }

    @Test
    void tokenValuesAreBlueBelowZeroWhiteAtZeroRedAbove() {
        browser.get(valuesPage);
        List<WebElement> spans = tokens("value-tokens");

        int[] mostNegative = color(spans.get(0));
        int[] slightlyNegative = color(spans.get(1));
        int[] zero = color(spans.get(2));
        int[] mostPositive = color(spans.get(4));
        assertTrue(mostNegative[2] > mostNegative[0] + 80, "-2 is blue: " + describe(mostNegative));
        assertTrue(slightlyNegative[2] > slightlyNegative[0] && slightlyNegative[0] > mostNegative[0],
                "-0.5 is a paler blue: " + describe(slightlyNegative));
        assertEquals("255,255,255,1.0", describe(zero), "zero is white");
        assertTrue(mostPositive[0] > mostPositive[2] + 80, "+2 is red: " + describe(mostPositive));

        browser.findElement(By.xpath("//button[text()='flipped']")).click();
        int[] flippedPositive = color(spans.get(0));
        int[] flippedNegative = color(spans.get(4));
        assertTrue(flippedPositive[0] > flippedPositive[2] + 80, "the other series: +2 is red: "
                + describe(flippedPositive));
        assertTrue(flippedNegative[2] > flippedNegative[0] + 80, "the other series: -2 is blue: "
                + describe(flippedNegative));
        hover(spans.get(3));
        assertEquals("flipped, position 3 '</script>': -1.000", readout("value-readout"));
    }

    @Test
    void noElementReferencesTheNetwork() {
        for (String page : List.of(attentionPage, valuesPage)) {
            browser.get(page);
            hover(browser.findElements(By.cssSelector(".token")).get(1));
            JavascriptExecutor script = (JavascriptExecutor) browser;

            Object references = script.executeScript(
                    "var found = [];"
                    + "document.querySelectorAll('*').forEach(function (node) {"
                    + "  Array.prototype.forEach.call(node.attributes, function (attribute) {"
                    + "    if (/https?:/i.test(attribute.value)) { found.push(node.tagName + ' ' + attribute.name); }"
                    + "  });"
                    + "});"
                    + "return found;");
            assertEquals(List.of(), references, "attributes naming an http(s) URL on " + page);
            assertEquals(0L, script.executeScript(
                    "return document.querySelectorAll('link, img, iframe, object, embed, [src]').length;"), page);
            assertEquals(0L, script.executeScript("return performance.getEntriesByType('resource').length;"),
                    "nothing fetched by " + page);
        }
    }

    // ----- helpers -----

    private static List<WebElement> tokens(String rowId) {
        return browser.findElements(By.cssSelector("#" + rowId + " .token"));
    }

    /** The tokens exactly as the DOM holds them: {@code getText} would trim the leading spaces. */
    private static List<String> texts(List<WebElement> spans) {
        return spans.stream().map(span -> span.getDomProperty("textContent")).toList();
    }

    private static void hover(WebElement element) {
        new Actions(browser).moveToElement(element).perform();
    }

    private static String readout(String id) {
        return browser.findElement(By.id(id)).getDomProperty("textContent");
    }

    private static void assertWeightsShown(List<WebElement> spans, double[] weights, String situation) {
        double[] alpha = alphas(spans);
        for (int key = 0; key < weights.length; key++) {
            assertEquals(weights[key], alpha[key], 0.01, situation + ": opacity of key " + key + " "
                    + TOKENS.get(key) + " is its weight");
            if (weights[key] > 0) {
                assertEquals("8,81,156", describe(color(spans.get(key))).replaceAll(",[0-9.]+$", ""),
                        situation + ": key " + key + " is drawn in the attention blue");
            } else {
                assertEquals(0, alpha[key], situation + ": key " + key + ", weight 0, is fully transparent");
            }
        }
    }

    private static double[] alphas(List<WebElement> spans) {
        return spans.stream().mapToDouble(span -> {
            int[] rgba = color(span);
            return rgba[3] / 1000.0;
        }).toArray();
    }

    private static int strongest(double[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    /** The computed background as red, green, blue and opacity in thousandths. */
    private static int[] color(WebElement element) {
        String css = element.getCssValue("background-color");
        Matcher parts = CSS_COLOR.matcher(css);
        if (!parts.matches()) {
            fail("not a CSS colour: " + css);
        }
        double alpha = parts.group(4) == null ? 1 : Double.parseDouble(parts.group(4));
        return new int[] {Integer.parseInt(parts.group(1)), Integer.parseInt(parts.group(2)),
            Integer.parseInt(parts.group(3)), (int) Math.round(alpha * 1000)};
    }

    private static String describe(int[] rgba) {
        return rgba[0] + "," + rgba[1] + "," + rgba[2] + "," + rgba[3] / 1000.0;
    }
}
