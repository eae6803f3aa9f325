package dev.arrakis.samples.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunRecord;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * Times one zero-ablation sweep over every (layer, head) with the metric "mean over the batch of logit(A) - logit(B)
 * at the last position", three ways on one loaded model, alternating them round by round:
 *
 * <ul>
 *   <li>{@code engine-N}: {@link ExperimentRunner} with {@code maxRowsPerPass = N} and no token cap (points
 *       batched into passes of at most N rows; {@code engine-batch}, N = the input's batch size, is one point per
 *       pass); {@code engine-default}: {@link RunnerOptions#defaults()}, rows and tokens per pass both capped;
 *   <li>{@code loop}: one {@code HookedTransformer.run} per point with {@code Interventions.zeroHeads(h)} at
 *       {@code blocks.L.attn.hook_z}, as a user would write it without the engine.
 * </ul>
 *
 * <p>Each variant is warmed up once, right before its first timed sweep, by a sweep over the heads of the first
 * {@code --warmup-layers} layers. Prints one JSON line per timed sweep, then one summary line per variant (median,
 * ratio to the first variant, largest difference of its results from the loop's). The peak resident set of each
 * sweep is read from {@code /proc/self/status} after resetting it through {@code /proc/self/clear_refs}; memory the
 * allocator kept from an earlier, larger pass counts too, so list variants by growing pass size. Token ids and the
 * two metric tokens follow the same formula as {@code tools/bench/hf_head_sweep.py}, so {@code --values-out} files
 * of the two can be compared; {@code tools/bench/sweep_side_by_side.sh} does that.
 */
@Command(name = "sweep-benchmark", mixinStandardHelpOptions = true)
public final class SweepBenchmark implements Callable<Integer> {
    static final int TOKEN_A = 5;
    static final int TOKEN_B = 17;
    private static final String RUN = "headSweep";
    private static final String WARMUP = "warmupSweep";

    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", required = true)
    private int threads;

    @Option(names = "--batch", defaultValue = "8")
    private int batch;

    @Option(names = "--seq", defaultValue = "32")
    private int seq;

    @Option(names = "--variants", split = ",", defaultValue = "engine-512,engine-128,engine-batch,loop",
            description = "engine-N (maxRowsPerPass N, no token cap), engine-batch (N = --batch: one point per"
                    + " pass), engine-default (RunnerOptions.defaults()), engine-no-reuse (the defaults without"
                    + " base-run reuse), loop")
    private List<String> variants;

    @Option(names = "--warmup-layers", defaultValue = "1",
            description = "Before a variant's first timed sweep, an untimed one over the heads of this many layers.")
    private int warmupLayers;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed sweeps of each variant, alternating.")
    private int rounds;

    @Option(names = "--values-out", description = "Write each variant's last results here as JSON.")
    private Path valuesOut;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SweepBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchmarkSupport.useThreads(threads);
        ObjectMapper json = new ObjectMapper();
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            TokenBatch tokens = tokens(batch, seq, transformer.config().vocabSize());
            HandBuiltExperiment definition = definition(transformer.config(), tokens, warmupLayers);
            Map<String, List<Double>> millis = new LinkedHashMap<>();
            Map<String, double[]> values = new LinkedHashMap<>();
            Map<String, Long> peakMb = new LinkedHashMap<>();
            long baseMb = residentMb("VmRSS");
            for (int round = 0; round < rounds; round++) {
                for (String variant : variants) {
                    if (round == 0) {
                        // Right before the first timed sweep, so that in a fresh JVM whose variants are listed by
                        // growing pass size each one's peak is its own (freed memory is kept by the allocator).
                        millis.put(variant, new ArrayList<>());
                        if (warmupLayers > 0) {
                            sweep(variant, transformer, definition, tokens, WARMUP);
                        }
                    }
                    boolean peakReset = BenchmarkSupport.resetPeak();
                    long start = System.nanoTime();
                    Sweep sweep = sweep(variant, transformer, definition, tokens, RUN);
                    double ms = (System.nanoTime() - start) / 1e6;
                    long peak = peakReset ? residentMb("VmHWM") : -1;
                    millis.get(variant).add(ms);
                    values.put(variant, sweep.values);
                    // Round 0 only: later rounds also see what the allocator kept from larger variants before them.
                    peakMb.putIfAbsent(variant, peak);
                    Map<String, Object> line = header(variant);
                    line.put("round", round);
                    line.put("sweep_ms", BenchmarkSupport.round(ms));
                    line.put("passes", sweep.passes);
                    if (sweep.timings != null) {
                        line.put("pass_ms", sweep.timings.batchedPassesMs());
                        line.put("invoke_ms", sweep.timings.invokeMs());
                    }
                    line.put("base_rss_mb", baseMb);
                    line.put("peak_rss_mb", peak);
                    System.out.println(json.writeValueAsString(line));
                }
            }
            double[] reference = values.get("loop");
            double first = median(millis.get(variants.get(0)));
            for (String variant : variants) {
                Map<String, Object> line = header(variant);
                line.put("summary", true);
                line.put("rounds", rounds);
                line.put("median_ms", BenchmarkSupport.round(median(millis.get(variant))));
                line.put("ratio_to_" + variants.get(0), BenchmarkSupport.round(median(millis.get(variant)) / first));
                line.put("peak_rss_mb", peakMb.get(variant));
                if (reference != null) {
                    line.put("max_abs_diff_vs_loop", maxAbsDiff(values.get(variant), reference));
                }
                double[] v = values.get(variant);
                line.put("value_range", Arrays.stream(v).max().orElse(0) - Arrays.stream(v).min().orElse(0));
                System.out.println(json.writeValueAsString(line));
            }
            if (valuesOut != null) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("batch", batch);
                out.put("seq", seq);
                out.put("values", values);
                Files.writeString(valuesOut, json.writeValueAsString(out));
            }
        }
        return 0;
    }

    private Map<String, Object> header(String variant) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("impl", "arrakis-" + variant);
        line.put("libtorch", Engine.getEngine("PyTorch").getVersion());
        line.put("threads", threads);
        line.put("batch", batch);
        line.put("seq", seq);
        return line;
    }

    /** The results of one sweep, row-major over (layer, head), and how it ran. */
    private record Sweep(double[] values, int passes, RunRecord.PhaseTimings timings) {}

    private Sweep sweep(String variant, HookedTransformer transformer, ExperimentDefinition<?> definition,
            TokenBatch tokens, String run) {
        if (variant.equals("loop")) {
            return loop(transformer, tokens, run.equals(WARMUP) ? warmupLayers : transformer.config().layers());
        }
        if (!variant.startsWith("engine-")) {
            throw new CommandLine.ParameterException(new CommandLine(this), "unknown variant " + variant);
        }
        String rows = variant.substring("engine-".length());
        RunnerOptions options = RunnerOptions.defaults().withModel(transformer);
        if (rows.equals("no-reuse")) {
            options = BenchmarkSupport.withoutBaseRunReuse(options);
        } else if (!rows.equals("default")) {
            // N rows exactly: the token cap is lifted so that it does not shrink the passes further.
            int maxRows = rows.equals("batch") ? batch : Integer.parseInt(rows);
            options = options.withMaxRowsPerPass(maxRows).withMaxTokensPerPass(Integer.MAX_VALUE);
        }
        try (ExperimentRunner runner = ExperimentRunner.open(definition, options)) {
            RunOutcome outcome = runner.run(run);
            RunRecord.PhaseTimings timings = outcome.record().timings();
            return new Sweep(outcome.vector(), timings.forwardPasses(), timings);
        }
    }

    /** What the engine replaces: one forward pass per (layer, head), each with its own hook. */
    private static Sweep loop(HookedTransformer transformer, TokenBatch tokens, int layers) {
        ModelConfig config = transformer.config();
        double[] values = new double[layers * config.heads()];
        for (int layer = 0; layer < layers; layer++) {
            for (int head = 0; head < config.heads(); head++) {
                RunOptions options = RunOptions.none()
                        .withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(head));
                try (ForwardResult result = transformer.run(tokens, options)) {
                    values[layer * config.heads() + head] = metric(new Logits(result.logits()));
                }
            }
        }
        return new Sweep(values, values.length, null);
    }

    /** Mean over the batch of logit(A) - logit(B) at the last position. */
    static double metric(Logits logits) {
        double sum = 0;
        for (int row = 0; row < logits.batchSize(); row++) {
            sum += logits.logitDiff(row, -1, TOKEN_A, TOKEN_B);
        }
        return sum / logits.batchSize();
    }

    /** Token {@code (r, p)} is {@code (1000003 * (r * seq + p) + 12345) mod vocab}, as in hf_head_sweep.py. */
    static TokenBatch tokens(int batch, int seq, int vocab) {
        long[][] rows = new long[batch][seq];
        for (int r = 0; r < batch; r++) {
            for (int p = 0; p < seq; p++) {
                rows[r][p] = (1_000_003L * (r * seq + p) + 12_345L) % vocab;
            }
        }
        return TokenBatch.of(rows);
    }

    /** A {@code kB} field of {@code /proc/self/status} in MiB, or -1 where it cannot be read. */
    static long residentMb(String field) {
        try {
            return BenchmarkSupport.statusKilobytes(field) / 1024;
        } catch (IOException | IllegalStateException | NumberFormatException e) {
            return -1;
        }
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        return max;
    }

    static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /**
     * The sweep as an experiment, written by hand instead of generated by the processor: the random checkpoint is
     * made at benchmark time, so no {@code @Experiment(config)} path exists when the samples compile.
     */
    private static HandBuiltExperiment definition(ModelConfig shape, TokenBatch tokens, int warmupLayers) {
        int[] firstLayers = IntStream.range(0, Math.max(1, warmupLayers)).toArray();
        return new HandBuiltExperiment(SweepBenchmark.class, "bench/gpt2-small-random/config.json", shape,
                List.of(new InputDefinition<>("prompts", TokenBatch.class.getCanonicalName(),
                        (experiment, loaded) -> tokens)),
                List.of(headSweep(RUN, Selection.everyIndex()), headSweep(WARMUP, Selection.sweep(firstLayers))));
    }

    private static RunDefinition<Object> headSweep(String name, Selection layers) {
        return RunDefinition.<Object>builder(name)
                .intervention(new Intervention.Ablation("attn.hook_z", layers, Selection.everyIndex(),
                        Selection.none(), Selection.none(), AblationMethod.ZERO))
                .resultType("double")
                .invoker((experiment, context) -> metric(context.logits()));
    }
}
