package dev.arrakis.samples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunRecord;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * What base-run reuse saves, in one JVM on one loaded model: the sweeps of issue 16 through {@link ExperimentRunner},
 * with reuse on and off ({@link RunnerOptions#withBaseRunReuse}), alternating round by round (the order flips every
 * round so that drift hits both alike):
 *
 * <ul>
 *   <li>{@code residPre}: activation patching of {@code hook_resid_pre} over every layer x every position, from
 *       random clean tokens into random corrupted ones;
 *   <li>{@code heads}: zero ablation of {@code attn.hook_z} over every layer x head, on the clean tokens; with reuse
 *       also one point per pass ({@code reuse-alone}), to compare with the default grouping of points that start at
 *       the same layer.
 * </ul>
 *
 * <p>The metric is {@link SweepBenchmark#metric}. Prints one JSON line per timed sweep (time, passes, the run's work
 * count, the 1-minute load average when it started) and one summary line per sweep and variant: the median time, its
 * ratio to the full passes', the work fraction, and the largest difference of its results from the full passes'.
 */
@Command(name = "reuse-benchmark", mixinStandardHelpOptions = true)
public final class ReuseBenchmark implements Callable<Integer> {
    private static final List<String> SWEEPS = List.of("residPre", "heads");

    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", required = true)
    private int threads;

    @Option(names = "--batch", defaultValue = "8")
    private int batch;

    @Option(names = "--seq", defaultValue = "20")
    private int seq;

    @Option(names = "--rounds", defaultValue = "3", description = "Timed sweeps of each variant, alternating.")
    private int rounds;

    @Option(names = "--sweeps", split = ",", defaultValue = "residPre,heads")
    private List<String> sweeps;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ReuseBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        BenchmarkSupport.useThreads(threads);
        ObjectMapper json = new ObjectMapper();
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            int vocab = transformer.config().vocabSize();
            TokenBatch clean = BenchmarkSupport.randomTokens(batch, seq, vocab, 1);
            TokenBatch corrupted = BenchmarkSupport.randomTokens(batch, seq, vocab, 2);
            HandBuiltExperiment definition = new HandBuiltExperiment(ReuseBenchmark.class,
                    "bench/gpt2-small-random/config.json", transformer.config(),
                    List.of(input("clean", clean), input("corrupted", corrupted)),
                    List.of(run("residPre", "corrupted", new Intervention.Patching("hook_resid_pre",
                                    Selection.everyIndex(), Selection.everyIndex(), Selection.none(), "clean",
                                    "corrupted")),
                            run("heads", "clean", new Intervention.Ablation("attn.hook_z", Selection.everyIndex(),
                                    Selection.everyIndex(), Selection.none(), Selection.none(),
                                    AblationMethod.ZERO))));
            for (String sweep : sweeps) {
                if (!SWEEPS.contains(sweep)) {
                    throw new CommandLine.ParameterException(new CommandLine(this), "unknown sweep " + sweep
                            + "; the sweeps are " + SWEEPS);
                }
                List<String> variants = sweep.equals("heads") ? List.of("reuse", "reuse-alone", "full")
                        : List.of("reuse", "full");
                Map<String, List<Double>> millis = new LinkedHashMap<>();
                Map<String, Sweep> last = new LinkedHashMap<>();
                for (int round = 0; round < rounds; round++) {
                    List<String> order = new ArrayList<>(variants);
                    if (round % 2 == 1) {
                        Collections.reverse(order);
                    }
                    for (String variant : order) {
                        double load = loadAverage();
                        long start = System.nanoTime();
                        Sweep result = sweep(transformer, definition, sweep, variant);
                        double ms = (System.nanoTime() - start) / 1e6;
                        millis.computeIfAbsent(variant, key -> new ArrayList<>()).add(ms);
                        last.put(variant, result);
                        Map<String, Object> line = header(sweep, variant);
                        line.put("round", round);
                        line.put("sweep_ms", BenchmarkSupport.round(ms));
                        line.put("passes", result.timings().forwardPasses());
                        line.put("layer_tokens", result.timings().layerTokens());
                        line.put("load_average", load);
                        System.out.println(json.writeValueAsString(line));
                    }
                }
                double full = median(millis.get("full"));
                Sweep reference = last.get("full");
                for (String variant : variants) {
                    Map<String, Object> line = header(sweep, variant);
                    line.put("summary", true);
                    line.put("rounds", rounds);
                    line.put("median_ms", BenchmarkSupport.round(median(millis.get(variant))));
                    line.put("time_ratio_to_full", BenchmarkSupport.round(median(millis.get(variant)) / full));
                    line.put("work_fraction_of_full", BenchmarkSupport.round(
                            (double) last.get(variant).timings().layerTokens() / reference.timings().layerTokens()));
                    double[] values = last.get(variant).values();
                    line.put("max_abs_diff_vs_full", IntStream.range(0, values.length)
                            .mapToDouble(i -> Math.abs(values[i] - reference.values()[i])).max().orElse(0));
                    System.out.println(json.writeValueAsString(line));
                }
            }
        }
        return 0;
    }

    private Map<String, Object> header(String sweep, String variant) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("sweep", sweep);
        line.put("variant", variant);
        line.put("threads", threads);
        line.put("batch", batch);
        line.put("seq", seq);
        return line;
    }

    private record Sweep(double[] values, RunRecord.PhaseTimings timings) {}

    private Sweep sweep(HookedTransformer transformer, HandBuiltExperiment definition, String sweep, String variant) {
        RunnerOptions options = RunnerOptions.defaults().withModel(transformer)
                .withBaseRunReuse(!variant.equals("full"));
        if (variant.equals("reuse-alone")) {
            options = options.withMaxRowsPerPass(batch);
        }
        try (ExperimentRunner runner = ExperimentRunner.open(definition, options)) {
            RunOutcome outcome = runner.run(sweep);
            double[] values = outcome.values().stream().mapToDouble(value -> ((Number) value).doubleValue())
                    .toArray();
            return new Sweep(values, outcome.record().timings());
        }
    }

    private static InputDefinition<Object, ?> input(String name, TokenBatch tokens) {
        return new InputDefinition<>(name, TokenBatch.class.getCanonicalName(), (experiment, loaded) -> tokens);
    }

    private static RunDefinition<Object> run(String name, String input, Intervention intervention) {
        return RunDefinition.<Object>builder(name).input(input).intervention(intervention).resultType("double")
                .invoker((experiment, context) -> SweepBenchmark.metric(context.logits()));
    }

    /** The 1-minute load average, which every figure of a shared machine needs beside it; -1 where unknown. */
    private static double loadAverage() {
        try {
            return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static double median(List<Double> values) {
        return BenchmarkSupport.percentile(values.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 50);
    }
}
