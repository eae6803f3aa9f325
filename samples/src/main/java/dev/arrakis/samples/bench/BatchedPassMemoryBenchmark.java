package dev.arrakis.samples.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Native memory of one batched forward pass per token, as a sweep runs it: a pass of {@code rows x seq} random
 * tokens whose metric reads logit(5) - logit(17) at the last position of every row, then closes the pass.
 *
 * <p>For each {@code --rows} value, in the order given: one untimed pass at that shape (libtorch's first-use costs),
 * then {@code --rounds} measured passes. Each measured pass resets the peak resident set ({@code VmHWM}) through
 * {@code /proc/self/clear_refs}, reads {@code VmRSS} before it and {@code VmHWM} after it; the growth divided by
 * {@code rows x seq} is {@code mib_per_token}. Memory the allocator kept from an earlier, larger pass is reused
 * without growing the resident set, so give the rows in growing order, or one value per JVM (the most faithful).
 * Prints one JSON line per measured pass, with the absolute peak ({@code peak_rss_mib}) and the resident set right
 * after loading ({@code loaded_rss_mib}) too: the slope of the peak over several pass sizes is the cost per token
 * without the fixed costs and without what the allocator kept.
 */
@Command(name = "batched-pass-memory-benchmark", mixinStandardHelpOptions = true)
public final class BatchedPassMemoryBenchmark implements Callable<Integer> {

    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", required = true)
    private int threads;

    @Option(names = "--seq", defaultValue = "32")
    private int seq;

    @Option(names = "--rows", split = ",", required = true, description = "Rows per pass, one configuration each.")
    private List<Integer> rows;

    @Option(names = "--rounds", defaultValue = "2", description = "Measured passes per configuration.")
    private int rounds;

    @Option(names = "--label", defaultValue = "this build", description = "Names the build in every line.")
    private String label;

    public static void main(String[] args) {
        System.exit(new CommandLine(new BatchedPassMemoryBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchmarkSupport.useThreads(threads);
        ObjectMapper json = new ObjectMapper();
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            int vocab = transformer.config().vocabSize();
            long loaded = BenchmarkSupport.statusKilobytes("VmRSS");
            for (int rowCount : rows) {
                TokenBatch batch = BenchmarkSupport.randomTokens(rowCount, seq, vocab, 42);
                pass(transformer, batch);
                for (int round = 0; round < rounds; round++) {
                    if (!BenchmarkSupport.resetPeak()) {
                        throw new IllegalStateException("cannot reset VmHWM through /proc/self/clear_refs");
                    }
                    long before = BenchmarkSupport.statusKilobytes("VmRSS");
                    long started = System.nanoTime();
                    double metric = pass(transformer, batch);
                    double ms = (System.nanoTime() - started) / 1e6;
                    long peak = BenchmarkSupport.statusKilobytes("VmHWM");
                    double growthMib = (peak - before) / 1024.0;
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("build", label);
                    line.put("rows", rowCount);
                    line.put("seq", seq);
                    line.put("tokens", rowCount * seq);
                    line.put("round", round);
                    line.put("loaded_rss_mib", BenchmarkSupport.round(loaded / 1024.0));
                    line.put("rss_before_mib", BenchmarkSupport.round(before / 1024.0));
                    line.put("peak_rss_mib", BenchmarkSupport.round(peak / 1024.0));
                    line.put("peak_growth_mib", BenchmarkSupport.round(growthMib));
                    line.put("mib_per_token", BenchmarkSupport.round(growthMib / (rowCount * seq)));
                    line.put("pass_ms", BenchmarkSupport.round(ms));
                    line.put("metric", metric);
                    line.put("threads", threads);
                    line.put("libtorch", Engine.getEngine("PyTorch").getVersion());
                    System.out.println(json.writeValueAsString(line));
                }
            }
        }
        return 0;
    }

    /** One pass and a sweep's metric on it: the mean over rows of logit(A) - logit(B) at the last position. */
    private static double pass(HookedTransformer transformer, TokenBatch batch) {
        try (ForwardResult result = transformer.run(batch, RunOptions.none())) {
            Logits logits = result.lazyLogits();
            double sum = 0;
            for (int row = 0; row < batch.batchSize(); row++) {
                sum += logits.logitDiff(row, -1, SweepBenchmark.TOKEN_A, SweepBenchmark.TOKEN_B);
            }
            return sum / batch.batchSize();
        }
    }
}
