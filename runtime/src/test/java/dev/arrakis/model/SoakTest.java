package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.model.RandomWork.Job;
import dev.arrakis.model.RandomWork.Kind;
import dev.arrakis.model.RandomWork.Outcome;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A long session on one model in one JVM: random forward passes with hooks that zero, scale or add, random caches,
 * early stops, key/value-cache continuations, greedy generation, gradient passes and hooks that throw. After every
 * operation the model's manager holds exactly the arrays it held after loading; after every failure the next plain
 * pass gives the reference logits bit for bit (no hook stayed behind); resident and heap memory stay flat.
 *
 * <p>The normal suite runs 300 operations; {@code tools/soak [OPERATIONS]} runs the long version (system property
 * {@code arrakis.soak.operations}) and prints the figures every 1,000. Runs in the runtime pom's native-memory JVM,
 * whose fixed heap is resident from the start, so resident-set growth is native growth.
 */
class SoakTest {
    private static final int OPERATIONS = Integer.getInteger("arrakis.soak.operations", 300);
    private static final int REPORT_EVERY = Integer.getInteger("arrakis.soak.reportEvery", 1_000);
    private static final long SEED = Long.getLong("arrakis.soak.seed", 2026);

    @Test
    void randomHooksCachesAndFailuresLeaveTheModelAsLoaded() throws Exception {
        assumeTrue(ManagementFactory.getRuntimeMXBean().getInputArguments().contains("-XX:+AlwaysPreTouch"),
                "needs the pre-touched heap of the runtime pom's native-memory execution");
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory())) {
            // Loaded here, run on another thread: under load, the thread that first ran libtorch's parallel ops ran
            // the same passes tens of times slower than any other (docs/reliability.md).
            ExecutorService thread = Executors.newSingleThreadExecutor();
            try {
                thread.submit(() -> {
                    soak(model);
                    return null;
                }).get(12, TimeUnit.HOURS);
            } finally {
                thread.shutdownNow();
            }
        }
    }

    private static void soak(HookedTransformer model) throws IOException {
        TokenBatch referenceBatch = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7, 8, 9},
                new long[] {1, 2, 3, 4, 5, 6, 7, 8});
        Outcome reference = RandomWork.plainLogits(model, referenceBatch);
        int weightsOnly = NativeResources.arraysUnder(model.manager());
        RandomWork work = new RandomWork(SEED, model);
        Map<Kind, Integer> done = new EnumMap<>(Kind.class);
        int failures = 0;
        // the first third lets the JIT and malloc's arenas settle before memory is compared
        int settled = OPERATIONS / 3;
        Figures start = Figures.now();
        Figures afterSettling = null;
        System.out.println("soak: " + OPERATIONS + " operations, seed " + SEED + ", start " + start);
        long lapStart = System.nanoTime();
        for (int operation = 1; operation <= OPERATIONS; operation++) {
            Job job = work.next(Kind.values());
            Outcome outcome = job.runOn(model);
            done.merge(job.kind(), 1, Integer::sum);
            assertEquals(weightsOnly, NativeResources.arraysUnder(model.manager()),
                    "arrays under the model's manager after operation " + operation + " (" + job + ")");
            if (job.kind() == Kind.THROWING_HOOK) {
                assertNotNull(outcome.failedHook(), "operation " + operation + " (" + job + ") did not fail");
                failures++;
                assertNull(RandomWork.plainLogits(model, referenceBatch).differenceFrom(reference),
                        "a plain pass after operation " + operation + " (" + job + ") against the reference");
            }
            if (operation == settled) {
                afterSettling = Figures.now();
            }
            if (operation % REPORT_EVERY == 0 || operation == OPERATIONS) {
                double seconds = (System.nanoTime() - lapStart) / 1e9;
                int lap = operation % REPORT_EVERY == 0 ? REPORT_EVERY : operation % REPORT_EVERY;
                System.out.printf("soak: %d operations, %s, %d arrays under the model's manager, %.1f"
                        + " operations/s over the last %d%n", operation, Figures.now(),
                        NativeResources.arraysUnder(model.manager()), lap / seconds, lap);
                lapStart = System.nanoTime();
            }
        }
        Figures end = Figures.now();
        System.out.println("soak: done " + done + ", " + failures + " failures each followed by the reference"
                + " pass, arrays " + weightsOnly + " at the start and " + weightsOnly + " after every operation");
        assertTrue(failures > 0 && done.size() == Kind.values().length,
                "the operations include every kind " + done + " and failures (" + failures + ")");
        // A pass's scope holds ~0.3 to 3 MB (activations of up to 3 x 12 tokens, every cached point, gradients):
        // leaking them from 200 operations on would add well over 60 MB.
        long residentGrowth = end.residentKb() - afterSettling.residentKb();
        assertTrue(residentGrowth < 40_000, "resident memory grew by " + residentGrowth + " kB from operation "
                + settled + " (" + afterSettling + ") to " + OPERATIONS + " (" + end + ")");
        // Keeping each operation's Java-side numbers (tens of kB) would add several MB over 200 operations.
        long heapGrowth = end.heapKb() - afterSettling.heapKb();
        assertTrue(heapGrowth < 4_096, "heap after a full GC grew by " + heapGrowth + " kB from operation "
                + settled + " (" + afterSettling + ") to " + OPERATIONS + " (" + end + ")");
    }

    /** Process memory and machine load at one moment; the heap is measured after a full collection. */
    private record Figures(long residentKb, long heapKb, String loadAverage) {
        static Figures now() throws IOException {
            System.gc();
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1024;
            String load = Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0];
            return new Figures(residentKilobytes(), heap, load);
        }

        @Override
        public String toString() {
            return "RSS " + residentKb / 1024 + " MB, heap after GC " + heapKb / 1024 + " MB, load " + loadAverage;
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
