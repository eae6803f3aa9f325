package dev.arrakis.plot;

import ai.djl.ndarray.NDArray;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.Tokenizer;
import dev.arrakis.model.WeightProcessing;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.tools.weights.CompositionScores;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.interactions.Actions;

/**
 * Makes the pictures in {@code docs/images} that {@code docs/plots.md} shows, from real numbers: the tiny random-init
 * GPT-2 committed under {@code runtime/src/test/resources/reference/gpt2-prefixed} (2 layers of 4 heads), its
 * attention patterns and what zero-ablating each head does to its next-token loss. The model is untrained, so the
 * numbers mean nothing about language; they are real outputs of the code the pictures document. Also
 * {@code composition-k.png}, the K-composition picture of {@code docs/tools/composition.md}, from
 * {@code models/gpt2-tiny} with TransformerLens's weight processing, as that page's snippet draws it.
 *
 * <p>{@code tools/docs-pictures} runs it with the samples' pictures (docs/plots.md). Run alone from the repository
 * root:
 * {@code java ... dev.arrakis.plot.DocsPictures [outputDirectory] [checkpointDirectory]}. Needs chromium and
 * chromedriver for the two screenshots of the HTML view ({@code tools/install-test-browser}).
 */
public final class DocsPictures {
    static final String PROMPT = "Mary and John went to the store";
    static final int ATTENTION_LAYER = 0;
    static final int ATTENTION_HEAD = 0;
    static final String ATTENTION_LABEL = "L" + ATTENTION_LAYER + "H" + ATTENTION_HEAD;
    /** The token hovered in the screenshots: "en", which L0H0 sends mostly to "h". */
    static final int SHOWN_QUERY = 10;
    static final int SCREEN_WIDTH = 900;

    private DocsPictures() {}

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args.length > 0 ? args[0] : "docs/images");
        Path checkpoint = Path.of(args.length > 1 ? args[1] : "runtime/src/test/resources/reference/gpt2-prefixed");
        System.setProperty("java.awt.headless", "true");
        Files.createDirectories(output);

        try (HookedTransformer model = HookedTransformer.load(checkpoint)) {
            ModelConfig config = model.config();
            Tokenizer tokenizer = model.tokenizer().orElseThrow();
            long[] ids = tokenizer.encode(PROMPT);
            // Each id decoded on its own keeps its leading space: " and", not "and".
            List<String> tokens = Arrays.stream(ids).mapToObj(id -> tokenizer.decode(new long[] {id})).toList();
            TokenBatch batch = TokenBatch.of(ids);

            double[][][] patterns = new double[config.layers() * config.heads()][][];
            List<String> headLabels = new ArrayList<>();
            double[] cleanLoss;
            try (ForwardResult clean = model.runWithCache(batch, patternHooks(config))) {
                cleanLoss = nextTokenLoss(clean.logits(), ids);
                for (int layer = 0; layer < config.layers(); layer++) {
                    double[][][] layerPatterns = headMatrices(clean.cache().get(patternHook(layer)));
                    for (int head = 0; head < config.heads(); head++) {
                        patterns[layer * config.heads() + head] = layerPatterns[head];
                        headLabels.add("L" + layer + "H" + head);
                    }
                }
            }

            // lossChange[head][position]: how much worse each token is predicted with that one head zero-ablated.
            double[][] lossChange = new double[headLabels.size()][];
            for (int layer = 0; layer < config.layers(); layer++) {
                for (int head = 0; head < config.heads(); head++) {
                    RunOptions ablate = RunOptions.none()
                            .withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(head));
                    try (ForwardResult ablated = model.run(batch, ablate)) {
                        double[] loss = nextTokenLoss(ablated.logits(), ids);
                        double[] change = new double[loss.length];
                        for (int position = 0; position < loss.length; position++) {
                            change[position] = loss[position] - cleanLoss[position];
                        }
                        lossChange[layer * config.heads() + head] = change;
                    }
                }
            }

            // The first token is never predicted: the loss curves and the heatmap start at the second.
            List<String> predicted = tokens.subList(1, tokens.size());
            PlotRenderer renderer = new PlotRenderer();
            Map<String, double[]> lossCurves = new LinkedHashMap<>();
            lossCurves.put("clean", cleanLoss);
            lossCurves.put(headLabels.get(0) + " ablated", add(cleanLoss, lossChange[0]));
            render(renderer, Plots.line("Next-token loss at each token (tiny random GPT-2)", "predicted token",
                    predicted, lossCurves), output, "line");

            double[] meanChange = Arrays.stream(lossChange).mapToDouble(row -> Arrays.stream(row).average()
                    .orElseThrow()).toArray();
            render(renderer, Plots.bar("Mean change in next-token loss, each head zero-ablated", "head", headLabels,
                    meanChange), output, "bar");

            render(renderer, Plots.heatmap("Change in next-token loss, each head zero-ablated", "ablated head",
                    headLabels, "predicted token", predicted, lossChange), output, "heatmap");

            String attentionLabel = headLabels.get(ATTENTION_LAYER * config.heads() + ATTENTION_HEAD);
            render(renderer, Plots.attention("Attention pattern " + attentionLabel + " (tiny random GPT-2)", tokens,
                    patterns[ATTENTION_LAYER * config.heads() + ATTENTION_HEAD]), output, "attention");

            render(renderer, Plots.attention("Attention patterns of every head (tiny random GPT-2)", tokens,
                    headLabels, patterns), output, "attention-heads");

            Map<String, double[]> perToken = new LinkedHashMap<>();
            for (int head = 0; head < headLabels.size(); head++) {
                // Aligned with the tokens: the first one has no loss, so no change.
                double[] aligned = new double[tokens.size()];
                System.arraycopy(lossChange[head], 0, aligned, 1, lossChange[head].length);
                perToken.put("loss change, " + headLabels.get(head) + " ablated", aligned);
            }
            screenshots(output,
                    HtmlView.attention("Attention, tiny random GPT-2: \"" + PROMPT + "\"", tokens, headLabels,
                            patterns),
                    HtmlView.tokenValues("Next-token loss change per head ablation, tiny random GPT-2", tokens,
                            perToken));
        }

        // docs/tools/composition.md's picture, as the snippet on that page makes it.
        try (HookedTransformer processed = HookedTransformer.load("models/gpt2-tiny",
                WeightProcessing.transformerLensDefaults())) {
            render(new PlotRenderer(), CompositionScores.of(processed, CompositionKind.K).heatmap(), output,
                    "composition-k");
        }
    }

    private static String patternHook(int layer) {
        return "blocks." + layer + ".attn.hook_pattern";
    }

    private static String[] patternHooks(ModelConfig config) {
        String[] hooks = new String[config.layers()];
        for (int layer = 0; layer < hooks.length; layer++) {
            hooks[layer] = patternHook(layer);
        }
        return hooks;
    }

    /** {@code [1, head, query, key]} as {@code [head][query][key]}. */
    private static double[][][] headMatrices(NDArray pattern) {
        long[] shape = pattern.getShape().getShape();
        int heads = (int) shape[1];
        int queries = (int) shape[2];
        int keys = (int) shape[3];
        float[] flat = pattern.toFloatArray();
        double[][][] matrices = new double[heads][queries][keys];
        for (int head = 0; head < heads; head++) {
            for (int query = 0; query < queries; query++) {
                for (int key = 0; key < keys; key++) {
                    matrices[head][query][key] = flat[(head * queries + query) * keys + key];
                }
            }
        }
        return matrices;
    }

    /** Cross-entropy of each next token, {@code [position]} for positions 1 onwards, from logits {@code [1, pos, vocab]}. */
    private static double[] nextTokenLoss(NDArray logits, long[] ids) {
        int vocab = (int) logits.getShape().get(2);
        float[] flat = logits.toFloatArray();
        double[] loss = new double[ids.length - 1];
        for (int position = 0; position < loss.length; position++) {
            int row = position * vocab;
            double max = Double.NEGATIVE_INFINITY;
            for (int token = 0; token < vocab; token++) {
                max = Math.max(max, flat[row + token]);
            }
            double sum = 0;
            for (int token = 0; token < vocab; token++) {
                sum += Math.exp(flat[row + token] - max);
            }
            loss[position] = max + Math.log(sum) - flat[row + (int) ids[position + 1]];
        }
        return loss;
    }

    private static double[] add(double[] a, double[] b) {
        double[] sum = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            sum[i] = a[i] + b[i];
        }
        return sum;
    }

    private static void render(PlotRenderer renderer, PlotRequest request, Path output, String name) {
        RenderedPlot plot = renderer.render(request, output, name);
        // The docs show the PNGs; the SVGs would only double the pictures in the repository.
        for (Path svg : plot.svgFiles()) {
            try {
                Files.deleteIfExists(svg);
            } catch (IOException failure) {
                throw new java.io.UncheckedIOException(failure);
            }
        }
        System.out.println("wrote " + plot.pngFiles());
    }

    /** The attention view with a query hovered and the token-values view, each as the browser shows it. */
    private static void screenshots(Path output, HtmlView attention, HtmlView values) throws IOException {
        Path scratch = Files.createTempDirectory("arrakis-docs-pictures");
        ChromeDriver browser = TestBrowser.start(Files.createDirectories(scratch.resolve("profile")), SCREEN_WIDTH,
                400);
        try {
            browser.get(attention.write(scratch.resolve("attention.html")).toUri().toString());
            click(browser, "//button[text()='" + ATTENTION_LABEL + "']");
            hover(browser, "#attention-tokens .token", SHOWN_QUERY);
            save(browser, output.resolve("html-attention.png"));

            browser.get(values.write(scratch.resolve("values.html")).toUri().toString());
            click(browser, "//button[text()='loss change, L0H1 ablated']");
            hover(browser, "#value-tokens .token", SHOWN_QUERY);
            save(browser, output.resolve("html-values.png"));
        } finally {
            browser.quit();
        }
    }

    private static void click(WebDriver browser, String xpath) {
        browser.findElement(By.xpath(xpath)).click();
    }

    private static void hover(WebDriver browser, String tokens, int index) {
        new Actions(browser).moveToElement(browser.findElements(By.cssSelector(tokens)).get(index)).perform();
    }

    /** The page from the top down to its last line, cropped there rather than at a fixed window height. */
    private static void save(ChromeDriver browser, Path file) throws IOException {
        long content = (Long) browser.executeScript(
                "return Math.ceil(document.getElementById('view').getBoundingClientRect().bottom) + 8;");
        // The window's size includes whatever frame the browser draws around the page: measure it, then add it.
        long frame = browser.manage().window().getSize().getHeight()
                - (Long) browser.executeScript("return window.innerHeight;");
        browser.manage().window().setSize(new Dimension(SCREEN_WIDTH, (int) (content + frame)));
        Files.deleteIfExists(file);
        Files.write(file, browser.getScreenshotAs(OutputType.BYTES));
        System.out.println("wrote " + file);
    }
}
