package dev.arrakis.samples.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times hooked forward passes the way {@code tools/bench/hf_forward.py} times HF's, and prints one JSON line in the
 * same format, so {@code tools/bench/forward_side_by_side.sh} can put the two side by side in one run.
 */
@Command(name = "forward-benchmark", mixinStandardHelpOptions = true)
public final class ForwardBenchmark implements Callable<Integer> {
    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", required = true)
    private int threads;

    @Option(names = "--batch", defaultValue = "1")
    private int batch;

    @Option(names = "--seq", defaultValue = "128")
    private int seq;

    @Option(names = "--warmup", defaultValue = "3")
    private int warmup;

    @Option(names = "--iters", defaultValue = "20")
    private int iters;

    @Option(names = "--cache-all", description = "Cache every hook point (the cost of run_with_cache).")
    private boolean cacheAll;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ForwardBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        // libtorch reads its thread counts when the engine starts, so they are set before anything touches DJL.
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            Random random = new Random(0);
            long[][] rows = new long[batch][seq];
            for (long[] row : rows) {
                Arrays.setAll(row, i -> random.nextInt(transformer.config().vocabSize()));
            }
            TokenBatch tokens = TokenBatch.of(rows);
            RunOptions options = cacheAll ? RunOptions.none().withCacheAll() : RunOptions.none();
            for (int i = 0; i < warmup; i++) {
                time(transformer, tokens, options);
            }
            double[] millis = new double[iters];
            for (int i = 0; i < iters; i++) {
                millis[i] = time(transformer, tokens, options);
            }
            Arrays.sort(millis);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("impl", cacheAll ? "arrakis-djl-cache-all" : "arrakis-djl");
            result.put("libtorch", Engine.getEngine("PyTorch").getVersion());
            result.put("threads", threads);
            result.put("batch", batch);
            result.put("seq", seq);
            result.put("median_ms", round(percentile(millis, 50)));
            result.put("p10_ms", round(percentile(millis, 10)));
            result.put("p90_ms", round(percentile(millis, 90)));
            result.put("iters", iters);
            System.out.println(new ObjectMapper().writeValueAsString(result));
        }
        return 0;
    }

    private static double time(HookedTransformer transformer, TokenBatch tokens, RunOptions options) {
        long start = System.nanoTime();
        try (ForwardResult result = transformer.run(tokens, options)) {
            result.logits().getFloat(0, 0, 0);
        }
        return (System.nanoTime() - start) / 1e6;
    }

    /** Linear interpolation between closest ranks, as numpy's default percentile does. */
    static double percentile(double[] sorted, double percent) {
        double rank = percent / 100 * (sorted.length - 1);
        int low = (int) Math.floor(rank);
        int high = (int) Math.ceil(rank);
        return sorted[low] + (sorted[high] - sorted[low]) * (rank - low);
    }

    static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
