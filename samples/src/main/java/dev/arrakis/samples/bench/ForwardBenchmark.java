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
        BenchmarkSupport.useThreads(threads);
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            TokenBatch tokens = BenchmarkSupport.randomTokens(batch, seq, transformer.config().vocabSize(), 0);
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
            result.put("median_ms", BenchmarkSupport.round(BenchmarkSupport.percentile(millis, 50)));
            result.put("p10_ms", BenchmarkSupport.round(BenchmarkSupport.percentile(millis, 10)));
            result.put("p90_ms", BenchmarkSupport.round(BenchmarkSupport.percentile(millis, 90)));
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
}
