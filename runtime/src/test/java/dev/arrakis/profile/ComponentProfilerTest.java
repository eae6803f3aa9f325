package dev.arrakis.profile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.HookException;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-component timing of the tiny GPT-2 reference checkpoint. */
class ComponentProfilerTest {
    private static final long MB = 1024 * 1024;

    private static HookedTransformer model;
    private static TokenBatch batch;
    private static List<String> expectedComponents;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory());
        long[][] rows = new long[4][24];
        for (int r = 0; r < rows.length; r++) {
            for (int p = 0; p < rows[r].length; p++) {
                rows[r][p] = (r * 31L + p * 7L) % model.config().vocabSize();
            }
        }
        batch = TokenBatch.of(rows);
        expectedComponents = new ArrayList<>(List.of("embed"));
        for (int layer = 0; layer < model.config().layers(); layer++) {
            expectedComponents.add("blocks." + layer + ".attn");
            expectedComponents.add("blocks." + layer + ".mlp");
        }
        expectedComponents.add("unembed");
        // The first passes allocate once (libtorch's pools, the JIT): that must be no component's RSS growth below.
        for (int i = 0; i < 3; i++) {
            model.forward(batch).close();
        }
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void listsEveryComponentInForwardOrder() {
        ComponentProfiler profiler = ComponentProfiler.of(model);
        assertEquals(expectedComponents, profiler.components());
        profiler.run(batch, RunOptions.none()).close();
        assertEquals(expectedComponents, names(profiler.profile()));
    }

    @Test
    void realPassesArePartitionedAmongTheComponentsWithinTheirWallTime() {
        ComponentProfiler profiler = ComponentProfiler.of(model);
        int passes = 5;
        long wall = 0;
        for (int i = 0; i < passes; i++) {
            long started = System.nanoTime();
            profiler.run(batch, RunOptions.none()).close();
            wall += System.nanoTime() - started;
        }
        ComponentProfile profile = profiler.profile();
        print("tiny GPT-2, batch 4x24", profile);

        assertEquals(passes, profile.passes());
        assertEquals(expectedComponents, names(profile));
        long sum = 0;
        for (ComponentTiming timing : profile.components()) {
            assertTrue(timing.totalNanos() >= 0, timing.component() + " took " + timing.totalNanos() + " ns");
            assertEquals(passes, timing.passes(), timing.component());
            assertTrue(timing.maxRssGrowthBytes() >= 0,
                    timing.component() + ": RSS readable on Linux, growth " + timing.maxRssGrowthBytes());
            sum += timing.totalNanos();
        }
        assertTrue(profile.profilerOverheadNanos() >= 0, "profiler overhead " + profile.profilerOverheadNanos());
        assertEquals(profile.wallNanos() - profile.profilerOverheadNanos(), sum,
                "the components partition the pass minus the profiler's own reads");
        // The profiler's span of each pass lies inside the span timed around run(), on the same monotonic clock.
        assertTrue(profile.wallNanos() <= wall,
                "profiled wall " + profile.wallNanos() + " ns exceeds the wall measured around it " + wall + " ns");
    }

    /**
     * A clock that advances one tick per reading makes every figure known: each mark reads it on arrival and on
     * leaving, so each stretch between two marks is one tick, and each mark's own reads one tick of overhead.
     */
    @Test
    void eachStretchBetweenTwoMarksIsChargedToItsComponent(@TempDir Path proc) throws IOException {
        assertEquals(2, model.config().layers(), "the figures below are worked out for two blocks");
        Files.writeString(proc.resolve("statm"), "1000 250 20 1 0 100 0\n");
        AtomicLong ticks = new AtomicLong();
        ComponentProfiler profiler = ComponentProfiler.of(model, new ProcessMemory(proc), ticks::getAndIncrement);

        // Readings 0..13: start 0; six marks (resid_pre, resid_mid, resid_post of each block) at 1-2, 3-4, ..., 11-12;
        // end 13. blocks.1.attn has two ticks: the hand-over from block 0's resid_post (6 to 7) and attention (8 to 9).
        profiler.run(batch, RunOptions.none()).close();
        assertEquals(new ComponentProfile(1, 13, 6, List.of(
                new ComponentTiming("embed", 1, 1, 0),
                new ComponentTiming("blocks.0.attn", 1, 1, 0),
                new ComponentTiming("blocks.0.mlp", 1, 1, 0),
                new ComponentTiming("blocks.1.attn", 2, 1, 0),
                new ComponentTiming("blocks.1.mlp", 1, 1, 0),
                new ComponentTiming("unembed", 1, 1, 0))), profiler.profile());

        // Readings 14..21: start 14; block 0's three marks at 15-16, 17-18, 19-20; end 21. Without unembed the tail
        // (20 to 21) stays with blocks.0.mlp, which therefore has 1 + 2 ticks over the two passes.
        profiler.run(batch, RunOptions.none().stoppingAtLayer(1)).close();
        assertEquals(new ComponentProfile(2, 13 + 7, 6 + 3, List.of(
                new ComponentTiming("embed", 2, 2, 0),
                new ComponentTiming("blocks.0.attn", 2, 2, 0),
                new ComponentTiming("blocks.0.mlp", 3, 2, 0),
                new ComponentTiming("blocks.1.attn", 2, 1, 0),
                new ComponentTiming("blocks.1.mlp", 1, 1, 0),
                new ComponentTiming("unembed", 1, 1, 0))), profiler.profile());
        assertEquals(22, ticks.get(), "readings taken over both passes");
    }

    @Test
    void theInstrumentedPassGivesBitIdenticalLogits() {
        ComponentProfiler profiler = ComponentProfiler.of(model);
        try (ForwardResult plain = model.forward(batch);
                ForwardResult profiled = profiler.run(batch, RunOptions.none())) {
            assertArrayEquals(plain.logits().toFloatArray(), profiled.logits().toFloatArray());
        }
    }

    @Test
    void hooksAlreadyAtTheProfilersPointsStillTakeEffect() {
        AtomicInteger calls = new AtomicInteger();
        RunOptions ablate = RunOptions.none()
                .withHook("blocks.0.hook_resid_mid", (activation, context) -> {
                    calls.incrementAndGet();
                    return activation.zerosLike();
                })
                .withCache("blocks.0.hook_resid_mid");
        ComponentProfiler profiler = ComponentProfiler.of(model);
        try (ForwardResult clean = model.forward(batch);
                ForwardResult ablated = model.run(batch, ablate);
                ForwardResult profiled = profiler.run(batch, ablate)) {
            assertEquals(2, calls.get(), "the ablation ran in both ablated passes");
            assertEquals(0f, profiled.cache().get("blocks.0.hook_resid_mid").abs().sum().getFloat(),
                    "the profiled pass saw the ablation");
            assertArrayEquals(ablated.logits().toFloatArray(), profiled.logits().toFloatArray());
            float change = clean.logits().sub(profiled.logits()).abs().max().getFloat();
            assertTrue(change > 1e-3, "the ablation changed the logits by at most " + change);
        }
        assertEquals(expectedComponents, names(profiler.profile()));
    }

    @Test
    void anEarlyStopProfilesOnlyTheBlocksThatRan() {
        ComponentProfiler profiler = ComponentProfiler.of(model);
        profiler.run(batch, RunOptions.none().stoppingAtLayer(1)).close();
        profiler.run(batch, RunOptions.none()).close();
        ComponentProfile profile = profiler.profile();
        assertEquals(expectedComponents, names(profile));
        assertEquals(2, profile.passes());
        for (ComponentTiming timing : profile.components()) {
            boolean inFirstBlockOrBefore = timing.component().equals("embed")
                    || timing.component().startsWith("blocks.0.");
            assertEquals(inFirstBlockOrBefore ? 2 : 1, timing.passes(), timing.component());
        }
    }

    @Test
    void rssGrowthGoesToTheComponentThatAllocated() {
        // A hook inside block 1's MLP allocates 200 MB that lives until the pass's scope closes. Part of it may land
        // on pages the process already holds from earlier tests (65 of 100 MB showed once in a full suite), so the
        // bound is half of it: still four times what any other component may show.
        RunOptions allocating = RunOptions.none().withHook("blocks.1.mlp.hook_post", (activation, context) -> {
            context.scope().ones(new Shape(50 * MB));
            return activation;
        });
        ComponentProfiler profiler = ComponentProfiler.of(model);
        profiler.run(batch, allocating).close();
        ComponentProfile profile = profiler.profile();
        print("tiny GPT-2 with 200 MB allocated in blocks.1.mlp", profile);
        for (ComponentTiming timing : profile.components()) {
            if (timing.component().equals("blocks.1.mlp")) {
                assertTrue(timing.maxRssGrowthBytes() >= 100 * MB,
                        "blocks.1.mlp grew " + timing.maxRssGrowthBytes() + " B for 200 MB allocated");
            } else {
                assertTrue(timing.maxRssGrowthBytes() < 50 * MB,
                        timing.component() + " grew " + timing.maxRssGrowthBytes());
            }
        }
    }

    @Test
    void aPassThatThrowsIsNotRecorded() {
        ComponentProfiler profiler = ComponentProfiler.of(model);
        RunOptions failing = RunOptions.none().withHook("blocks.1.hook_resid_mid", (activation, context) -> {
            throw new IllegalStateException("boom");
        });
        assertThrows(HookException.class, () -> profiler.run(batch, failing));
        assertEquals(ComponentProfile.empty(), profiler.profile());
        profiler.run(batch, RunOptions.none()).close();
        assertEquals(1, profiler.profile().passes());
    }

    @Test
    void profilesAreJsonFriendlyRecords() {
        ComponentProfiler profiler = ComponentProfiler.of(model);
        profiler.run(batch, RunOptions.none()).close();
        ObjectMapper json = new ObjectMapper();
        JsonNode profile = json.valueToTree(profiler.profile());
        assertEquals(List.of("passes", "wallNanos", "profilerOverheadNanos", "components"), fieldNames(profile));
        assertEquals(List.of("component", "totalNanos", "passes", "maxRssGrowthBytes"),
                fieldNames(profile.get("components").get(0)));
        assertEquals("embed", profile.get("components").get(0).get("component").asText());

        JsonNode peak = json.valueToTree(new MemoryPeak(1, 2, true, 3, 4, false));
        assertEquals(List.of("baselineRssBytes", "peakRssBytes", "rssPeakIsSinceProbeStart", "baselineHeapBytes",
                "peakHeapBytes", "heapPeakIsSinceProbeStart"), fieldNames(peak));
    }

    private static List<String> names(ComponentProfile profile) {
        return profile.components().stream().map(ComponentTiming::component).toList();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    private static void print(String title, ComponentProfile profile) {
        System.out.printf("%s: %d passes, wall %.1f us/pass, profiler overhead %.1f us/pass%n", title,
                profile.passes(), profile.wallNanos() / 1000.0 / profile.passes(),
                profile.profilerOverheadNanos() / 1000.0 / profile.passes());
        for (ComponentTiming timing : profile.components()) {
            System.out.printf("  %-14s %8.1f us/pass  max RSS growth %6d kB%n", timing.component(),
                    timing.meanNanos() / 1000.0, timing.maxRssGrowthBytes() / 1024);
        }
    }
}
