package dev.arrakis.tools.features;

import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.plot.TestBrowser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Makes {@code docs/images/feature-examples.png}, the page docs/tools/feature-visualisation.md shows: neuron 5 of
 * {@code blocks.0.mlp.hook_post} of the committed tiny GPT-2 over the example text of that page, screenshotted in
 * headless chromium. Run from the repository root with the runtime's test class path:
 * {@code java -cp ... dev.arrakis.tools.features.ExamplesPagePicture [outputDirectory]}.
 */
public final class ExamplesPagePicture {
    static final String TEXT = "The cat sat on the mat. The dog sat on the log. Mary and John went to the store;"
            + " John gave a drink to Mary. When the rain stopped, the children ran outside to play in the park."
            + " A small bird sang on the roof while the old man read his paper by the window.";

    private ExamplesPagePicture() {}

    public static void main(String[] args) throws Exception {
        Path output = Path.of(args.length > 0 ? args[0] : "docs/images");
        try (HookedTransformer model = HookedTransformer.load(Path.of("models/gpt2-tiny"))) {
            long[] ids = model.tokenizer().orElseThrow().encode(TEXT);
            List<TokenBatch> batches = new ArrayList<>();
            for (int start = 0; start + 32 <= ids.length; start += 32) {
                batches.add(TokenBatch.of(Arrays.copyOfRange(ids, start, start + 16),
                        Arrays.copyOfRange(ids, start + 16, start + 32)));
            }
            TopActivatingExamples top = TopActivatingExamples.over(model,
                    Feature.neuron("blocks.0.mlp.hook_post", 5), batches, 5, 4, 1);
            Path work = Files.createTempDirectory("examples-page");
            Path page = ExamplesPage.of("Neuron 5 of blocks.0.mlp.hook_post", top, model.tokenizer())
                    .write(work.resolve("neuron5.html"));
            ChromeDriver browser = TestBrowser.start(Files.createDirectories(work.resolve("profile")), 640, 400);
            try {
                browser.get(page.toUri().toString());
                Files.write(Files.createDirectories(output).resolve("feature-examples.png"),
                        browser.getScreenshotAs(OutputType.BYTES));
            } finally {
                browser.quit();
            }
        }
    }
}
