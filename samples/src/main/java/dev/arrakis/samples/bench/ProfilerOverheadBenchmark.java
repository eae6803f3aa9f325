package dev.arrakis.samples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.profile.ComponentProfile;
import dev.arrakis.profile.ComponentProfiler;
import dev.arrakis.profile.ProcessMemory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What {@link ComponentProfiler} costs: plain forward passes ({@code model.run}) and profiled ones
 * ({@code profiler.run}) of the same batch, interleaved pass by pass so that drift (JIT, frequency scaling, other
 * load) hits both alike, compared by their medians so that pauses do not count. Also times the resident-set read the
 * profiler takes at each mark ({@link ProcessMemory#residentBytes()}, a positional read of a {@code statm} kept open)
 * against opening and reading {@code /proc/self/statm} afresh each time. Prints one JSON line.
 *
 * <p>This was {@code ComponentProfilerTest.overheadOfInstrumentationIsSmall} until a loaded machine showed that a
 * speed ratio is a measurement, not a unit test.
 */
@Command(name = "profiler-overhead-benchmark", mixinStandardHelpOptions = true)
public final class ProfilerOverheadBenchmark implements Callable<Integer> {
    private static final Path STATM = Path.of("/proc/self/statm");

    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", required = true)
    private int threads;

    @Option(names = "--batch", defaultValue = "4")
    private int batch;

    @Option(names = "--seq", defaultValue = "24")
    private int seq;

    @Option(names = "--warmup", defaultValue = "20", description = "Untimed pass pairs first.")
    private int warmup;

    @Option(names = "--passes", defaultValue = "300", description = "Timed pairs of one plain and one profiled pass.")
    private int passes;

    @Option(names = "--statm-reads", defaultValue = "10000")
    private int statmReads;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ProfilerOverheadBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchmarkSupport.useThreads(threads);
        Map<String, Object> result = new LinkedHashMap<>();
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            TokenBatch tokens = BenchmarkSupport.randomTokens(batch, seq, transformer.config().vocabSize(), 0);
            for (int i = 0; i < warmup; i++) {
                timePass(() -> transformer.run(tokens, RunOptions.none()));
                timePass(() -> ComponentProfiler.of(transformer).run(tokens, RunOptions.none()));
            }
            ComponentProfiler profiler = ComponentProfiler.of(transformer);
            double[] plainMicros = new double[passes];
            double[] profiledMicros = new double[passes];
            for (int i = 0; i < passes; i++) {
                plainMicros[i] = timePass(() -> transformer.run(tokens, RunOptions.none()));
                profiledMicros[i] = timePass(() -> profiler.run(tokens, RunOptions.none()));
            }
            Arrays.sort(plainMicros);
            Arrays.sort(profiledMicros);
            double plain = BenchmarkSupport.percentile(plainMicros, 50);
            double profiled = BenchmarkSupport.percentile(profiledMicros, 50);
            ComponentProfile profile = profiler.profile();

            result.put("layers", transformer.config().layers());
            result.put("components", profiler.components().size());
            result.put("threads", threads);
            result.put("batch", batch);
            result.put("seq", seq);
            result.put("passes", passes);
            result.put("plain_median_us", BenchmarkSupport.round(plain));
            result.put("profiled_median_us", BenchmarkSupport.round(profiled));
            result.put("profiled_over_plain", BenchmarkSupport.round(profiled / plain));
            result.put("profiler_reads_us_per_pass",
                    BenchmarkSupport.round(profile.profilerOverheadNanos() / 1000.0 / profile.passes()));
        }
        result.put("statm_kept_open_us_per_read", BenchmarkSupport.round(microsPerRead(statmReads, () -> {
            ProcessMemory.self().residentBytes();
        })));
        result.put("statm_opened_each_time_us_per_read", BenchmarkSupport.round(microsPerRead(statmReads, () -> {
            Files.readAllBytes(STATM);
        })));
        System.out.println(new ObjectMapper().writeValueAsString(result));
        return 0;
    }

    private interface Pass {
        ForwardResult run();
    }

    private interface Read {
        void read() throws IOException;
    }

    private static double timePass(Pass pass) {
        long start = System.nanoTime();
        try (ForwardResult result = pass.run()) {
            result.logits().getFloat(0, 0, 0);
        }
        return (System.nanoTime() - start) / 1e3;
    }

    /** Mean over {@code reads} reads, after as many untimed ones. */
    private static double microsPerRead(int reads, Read read) throws IOException {
        for (int i = 0; i < reads; i++) {
            read.read();
        }
        long start = System.nanoTime();
        for (int i = 0; i < reads; i++) {
            read.read();
        }
        return (System.nanoTime() - start) / 1e3 / reads;
    }
}
