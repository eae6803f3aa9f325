package dev.arrakis.samples.bench;

import ai.djl.engine.Engine;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times the resid_pre activation-patching sweep (every layer by every patched position, the clean run's
 * {@code hook_resid_pre} written into the corrupted run) through {@link ExperimentRunner}, the engine's twin of
 * TransformerLens's {@code get_act_patch_resid_pre} as {@code tools/bench/tl_resid_pre_sweep.py} runs it. Both read one
 * tokens file (clean, corrupted and patched positions; that script writes it) and use the metric of
 * {@link SweepBenchmark#metric}, so their results can be compared number by number; {@code tools/bench/targets.sh}
 * does that.
 *
 * <p>Variants, alternated round by round on one loaded model: {@code engine-default} ({@link
 * RunnerOptions#defaults()}, whatever the engine does today), {@code engine-no-reuse} (the same without base-run
 * reuse, {@link BenchmarkSupport#withoutBaseRunReuse}) and {@code engine-batch} (one point per pass). Each is warmed
 * up by a one-point sweep before its first timed one. Prints one JSON line per timed sweep and one summary line per
 * variant with its median; besides wall seconds, the JVM's CPU seconds, which a loaded machine stretches less.
 * {@code --values-out} gets each variant's results, layer-major.
 */
@Command(name = "resid-pre-sweep-benchmark", mixinStandardHelpOptions = true)
public final class ResidPreSweepBenchmark implements Callable<Integer> {
    private static final String RUN = "residPrePatch";
    private static final String WARMUP = "warmupPoint";

    /** The tokens file: {@code positions} lists the patched positions, ascending. */
    record SweepTokens(long seed, long[][] clean, long[][] corrupted, int[] positions) {}

    @Option(names = "--model", required = true)
    private Path model;

    @Option(names = "--threads", required = true)
    private int threads;

    @Option(names = "--tokens", required = true,
            description = "JSON written by tools/bench/tl_resid_pre_sweep.py (clean, corrupted, positions).")
    private Path tokensFile;

    @Option(names = "--variants", split = ",", defaultValue = "engine-default",
            description = "engine-default, engine-no-reuse, engine-batch")
    private List<String> variants;

    @Option(names = "--rounds", defaultValue = "1", description = "Timed sweeps of each variant, alternating.")
    private int rounds;

    @Option(names = "--values-out", description = "Write each variant's last results here as JSON.")
    private Path valuesOut;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ResidPreSweepBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        ObjectMapper json = new ObjectMapper();
        if (!Files.isRegularFile(tokensFile)) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--tokens " + tokensFile
                    + " does not exist; tools/bench/tl_resid_pre_sweep.py --tokens FILE writes it");
        }
        SweepTokens tokens = json.readValue(tokensFile.toFile(), SweepTokens.class);
        TokenBatch clean = TokenBatch.of(tokens.clean());
        BenchmarkSupport.useThreads(threads);
        try (HookedTransformer transformer = HookedTransformer.load(model)) {
            HandBuiltExperiment definition = definition(transformer.config(), clean,
                    TokenBatch.of(tokens.corrupted()), tokens.positions());
            Map<String, List<Double>> millis = new LinkedHashMap<>();
            Map<String, double[]> values = new LinkedHashMap<>();
            for (int round = 0; round < rounds; round++) {
                for (String variant : variants) {
                    if (round == 0) {
                        millis.put(variant, new ArrayList<>());
                        sweep(variant, transformer, clean.batchSize(), definition, WARMUP);
                    }
                    boolean peakReset = BenchmarkSupport.resetPeak();
                    long start = System.nanoTime();
                    long cpuStart = BenchmarkSupport.processCpuNanos();
                    RunOutcome outcome = sweep(variant, transformer, clean.batchSize(), definition, RUN);
                    double ms = (System.nanoTime() - start) / 1e6;
                    double cpuSeconds = (BenchmarkSupport.processCpuNanos() - cpuStart) / 1e9;
                    millis.get(variant).add(ms);
                    values.put(variant, outcome.vector());
                    Map<String, Object> line = header(variant, clean);
                    line.put("round", round);
                    line.put("points", outcome.points());
                    line.put("seconds", BenchmarkSupport.round(ms / 1e3));
                    line.put("cpu_seconds", BenchmarkSupport.round(cpuSeconds));
                    line.put("passes", outcome.record().timings().forwardPasses());
                    line.put("peak_rss_mb", peakReset ? SweepBenchmark.residentMb("VmHWM") : -1);
                    System.out.println(json.writeValueAsString(line));
                }
            }
            for (String variant : variants) {
                Map<String, Object> line = header(variant, clean);
                line.put("summary", true);
                line.put("rounds", rounds);
                line.put("seconds", BenchmarkSupport.round(SweepBenchmark.median(millis.get(variant)) / 1e3));
                line.put("max_abs_diff_vs_" + variants.get(0),
                        SweepBenchmark.maxAbsDiff(values.get(variant), values.get(variants.get(0))));
                line.put("values", valuesOut == null ? null : valuesOut.toString());
                System.out.println(json.writeValueAsString(line));
            }
            if (valuesOut != null) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("layers", transformer.config().layers());
                out.put("positions", tokens.positions());
                out.put("values", values);
                Files.writeString(valuesOut, json.writeValueAsString(out));
            }
        }
        return 0;
    }

    private Map<String, Object> header(String variant, TokenBatch clean) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("impl", "arrakis-" + variant);
        line.put("shape", clean.batchSize() + "x" + clean.sequenceLength());
        line.put("batch", clean.batchSize());
        line.put("seq", clean.sequenceLength());
        line.put("threads", threads);
        line.put("libtorch", Engine.getEngine("PyTorch").getVersion());
        return line;
    }

    private RunOutcome sweep(String variant, HookedTransformer transformer, int batch, HandBuiltExperiment definition,
            String run) {
        RunnerOptions options = RunnerOptions.defaults().withModel(transformer);
        switch (variant) {
            case "engine-default" -> { }
            case "engine-no-reuse" -> options = BenchmarkSupport.withoutBaseRunReuse(options);
            case "engine-batch" -> options = options.withMaxRowsPerPass(batch).withMaxTokensPerPass(Integer.MAX_VALUE);
            default -> throw new CommandLine.ParameterException(new CommandLine(this), "unknown variant " + variant
                    + "; expected engine-default, engine-no-reuse or engine-batch");
        }
        try (ExperimentRunner runner = ExperimentRunner.open(definition, options)) {
            return runner.run(run);
        }
    }

    /** The sweep as an experiment, written by hand: the checkpoint and the tokens exist only at benchmark time. */
    private static HandBuiltExperiment definition(ModelConfig shape, TokenBatch clean, TokenBatch corrupted,
            int[] positions) {
        boolean everyPosition = IntStream.range(0, clean.sequenceLength()).boxed().toList()
                .equals(IntStream.of(positions).boxed().toList());
        Selection patched = everyPosition ? Selection.everyIndex() : Selection.sweep(positions);
        Selection lastPosition = Selection.sweep(positions[positions.length - 1]);
        return new HandBuiltExperiment(ResidPreSweepBenchmark.class, "bench/gpt2-small-random/config.json", shape,
                List.of(new InputDefinition<>("clean", TokenBatch.class.getCanonicalName(), (e, m) -> clean),
                        new InputDefinition<>("corrupted", TokenBatch.class.getCanonicalName(), (e, m) -> corrupted)),
                List.of(residPrePatch(RUN, Selection.everyIndex(), patched),
                        residPrePatch(WARMUP, Selection.sweep(0), lastPosition)));
    }

    private static RunDefinition<Object> residPrePatch(String name, Selection layers, Selection positions) {
        return RunDefinition.<Object>builder(name)
                .intervention(Intervention.Patching.builder("hook_resid_pre", "clean", "corrupted")
                        .layers(layers).positions(positions).build())
                .resultType("double")
                .invoker((experiment, context) -> SweepBenchmark.metric(context.logits()));
    }
}
