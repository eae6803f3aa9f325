package dev.arrakis.samples.bench;

import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.model.TokenBatch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;

/** What every benchmark here sets up and reports the same way. */
final class BenchmarkSupport {
    private BenchmarkSupport() {}

    /** libtorch reads its thread counts when the engine starts, so this must run before anything touches DJL. */
    static void useThreads(int threads) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /**
     * The engine's path before base-run reuse, for the {@code engine-no-reuse} variants: every point a full pass
     * from the embedding. The one place benchmarks name the switch.
     */
    static RunnerOptions withoutBaseRunReuse(RunnerOptions options) {
        return options.withBaseRunReuse(false);
    }

    /** CPU time of this JVM, every thread (libtorch's, the JIT's, the GC's) included. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** A batch of uniformly random token ids below {@code vocab}, the same for the same seed. */
    static TokenBatch randomTokens(int batch, int seq, int vocab, long seed) {
        Random random = new Random(seed);
        long[][] rows = new long[batch][seq];
        for (long[] row : rows) {
            Arrays.setAll(row, i -> random.nextInt(vocab));
        }
        return TokenBatch.of(rows);
    }

    /** Linear interpolation between closest ranks, as numpy's default percentile does. */
    static double percentile(double[] sorted, double percent) {
        double rank = percent / 100 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    /** Three decimals, as the reports print them. */
    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }

    /** Resets the peak resident set ({@code VmHWM}); false where the kernel does not allow it. */
    static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** A {@code kB} field of {@code /proc/self/status}, e.g. {@code VmRSS} or {@code VmHWM}. */
    static long statusKilobytes(String field) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("\\D", ""));
            }
        }
        throw new IllegalStateException("no " + field + " in /proc/self/status");
    }
}
