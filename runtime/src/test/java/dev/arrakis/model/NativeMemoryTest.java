package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Native memory returns to its baseline after every forward pass with a cache. Runs in a JVM of its own (see the
 * runtime pom) with a pre-touched fixed heap, so growth of the resident set is growth of native memory.
 */
class NativeMemoryTest {
    private static final int PASSES = 1_000;

    /** GPT-2, and Gemma 2 for what other families add per pass: rotary tables and one mask per window size. */
    @ParameterizedTest
    @ValueSource(strings = {"gpt2-prefixed", "gemma2"})
    void thousandCachedForwardPassesDoNotGrowNativeMemory(String caseName) throws Exception {
        assumeTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch"),
                "needs the pre-touched heap of the runtime pom's native-memory execution");
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory())) {
            long[] row = {5, 17, 3, 99, 42, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17};
            TokenBatch batch = TokenBatch.of(row, row, row, row);
            int weightsOnly = NativeResources.attachedCount(model.manager());
            // Warm-up lets the JIT and malloc's arenas settle; they add ~20 MB early on and then stay flat.
            for (int warmup = 0; warmup < PASSES; warmup++) {
                runCached(model, batch);
            }
            long rssBefore = residentKilobytes();
            for (int pass = 0; pass < PASSES; pass++) {
                runCached(model, batch);
            }
            long rssAfter = residentKilobytes();
            assertEquals(weightsOnly, NativeResources.attachedCount(model.manager()),
                    "arrays and scopes attached to the model's manager after " + PASSES + " passes");
            // Each pass caches every activation (~0.6 MB here): leaking them would add ~600 MB over the loop.
            long growthKb = rssAfter - rssBefore;
            assertTrue(growthKb < 40_000, "resident memory grew by " + growthKb + " kB over " + PASSES + " passes");
        }
    }

    private static void runCached(HookedTransformer model, TokenBatch batch) {
        try (ForwardResult result = model.run(batch,
                dev.arrakis.hooks.RunOptions.none().withCacheFilter(name -> true))) {
            result.logits().getFloat(0, 0, 0);
        }
    }

    private static long residentKilobytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no VmRSS in /proc/self/status");
    }
}
