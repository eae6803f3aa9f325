package dev.arrakis.tools.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.plot.TestBrowser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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

/**
 * The examples page in a real browser (headless chromium, as {@code HtmlViewBrowserTest}): rows in order, tokens shown
 * as text however much they look like markup, each shaded by its value over the top value, the example's token
 * outlined. {@code -Darrakis.skipBrowserTests=true} skips these tests.
 */
class ExamplesPageBrowserTest {
    private static final String SKIP_PROPERTY = "arrakis.skipBrowserTests";
    /** Token ids 0..4 read as markup, an entity after a space, a closing script tag and a newline. */
    private static final List<String> TEXT = List.of("<b>", " &amp;", "</script>", "a\nb", "Mary");
    private static final List<String> SHOWN = List.of("<b>", "\u00B7&amp;", "</script>", "a\\nb", "Mary");
    private static final Pattern CSS_COLOR = Pattern.compile("rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([0-9.]+))?\\)");

    @TempDir
    static Path workspace;
    private static WebDriver browser;
    private static String skipReason;
    private static String page;

    @BeforeAll
    static void startBrowser() throws IOException {
        List<String> missing = TestBrowser.missingPrograms();
        if (Boolean.getBoolean(SKIP_PROPERTY)) {
            skipReason = SKIP_PROPERTY + "=true";
            return;
        }
        if (!missing.isEmpty()) {
            fail("the browser tests need chromium and chromedriver, but " + missing + " is missing: run "
                    + "tools/install-test-browser (or set -D" + SKIP_PROPERTY + "=true to skip these tests)");
        }
        TopActivatingExamples top = new TopActivatingExamples(Feature.neuron("h", 0), 2, 1, 1);
        try (NDManager manager = NDManager.newBaseManager()) {
            // tokens 0 1 2 3 4 with values 1 4 -2 2 0: top 2 are 1 (4.0) and 3 (2.0)
            top.add(manager.create(new float[] {1, 4, -2, 2, 0}, new Shape(1, 5, 1)),
                    TokenBatch.of(new long[] {0, 1, 2, 3, 4}));
        }
        page = ExamplesPage.of("Neuron <0> & friends", top, id -> TEXT.get((int) id))
                .write(workspace.resolve("examples.html")).toUri().toString();
        browser = TestBrowser.start(Files.createDirectories(workspace.resolve("chromium-profile")), 1000, 700);
    }

    @BeforeEach
    void skipWhenAsked() {
        Assumptions.assumeTrue(skipReason == null, skipReason);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void rowsShowTheExamplesStrongestFirstWithTheirTokensAsText() {
        browser.get(page);
        assertEquals("Neuron <0> & friends", browser.getTitle());
        assertEquals("Neuron <0> & friends", browser.findElement(By.tagName("h1")).getText());
        assertEquals("h[0]: the 2 highest of 5 tokens", browser.findElement(By.className("summary")).getText());
        List<WebElement> rows = browser.findElements(By.cssSelector("#examples tbody tr"));
        assertEquals(2, rows.size(), "one row per example");
        assertEquals(List.of("1", "4.000", "0:1"), cells(rows.get(0)), "first row");
        assertEquals(List.of("2", "2.000", "0:3"), cells(rows.get(1)), "second row");
        assertEquals(SHOWN.subList(0, 3), texts(rows.get(0)), "context of token 1: tokens 0..2");
        assertEquals(SHOWN.subList(2, 5), texts(rows.get(1)), "context of token 3: tokens 2..4");
        assertEquals(0L, ((JavascriptExecutor) browser).executeScript(
                "return document.querySelectorAll('b, script, link, img, [src]').length;"),
                "no token became an element, nothing is loaded");
    }

    @Test
    void tokensAreShadedByValueOverTheTopValueAndTheExampleIsOutlined() {
        browser.get(page);
        List<WebElement> rows = browser.findElements(By.cssSelector("#examples tbody tr"));
        // values 1, 4, -2 around the top example, 4: opacities 0.25, 1, 0 (nothing below zero)
        assertOpacities(rows.get(0), new double[] {0.25, 1, 0});
        // values -2, 2, 0 around the second, 2: opacities 0, 0.5, 0
        assertOpacities(rows.get(1), new double[] {0, 0.5, 0});
        List<WebElement> spans = rows.get(1).findElements(By.className("token"));
        assertEquals("solid 2px", spans.get(1).getCssValue("outline-style") + " "
                + spans.get(1).getCssValue("outline-width"), "the example's token is outlined");
        assertEquals("none", spans.get(0).getCssValue("outline-style"), "its neighbours are not");
        assertEquals("'</script>': -2.000", spans.get(0).getDomAttribute("title"), "tooltip");
    }

    private static void assertOpacities(WebElement row, double[] expected) {
        List<WebElement> spans = row.findElements(By.className("token"));
        for (int index = 0; index < expected.length; index++) {
            String css = spans.get(index).getCssValue("background-color");
            Matcher parts = CSS_COLOR.matcher(css);
            if (!parts.matches()) {
                fail("not a CSS colour: " + css);
            }
            double alpha = parts.group(4) == null ? 1 : Double.parseDouble(parts.group(4));
            assertEquals(expected[index], alpha, 0.01, "opacity of token " + index + " (" + css + ")");
            if (alpha > 0) {
                assertEquals("255,127,14", parts.group(1) + "," + parts.group(2) + "," + parts.group(3),
                        "token " + index + " is shaded orange");
            }
        }
    }

    private static List<String> cells(WebElement row) {
        return row.findElements(By.tagName("td")).subList(0, 3).stream().map(WebElement::getText).toList();
    }

    private static List<String> texts(WebElement row) {
        return row.findElements(By.className("token")).stream().map(span -> span.getDomProperty("textContent"))
                .toList();
    }
}
