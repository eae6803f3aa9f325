package dev.arrakis.samples.bench;

import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Selection;
import dev.arrakis.tools.gradients.LogitMetric;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Times activation patching ({@code @Patch}: one patched row per grid cell, batched by the engine) against attribution
 * patching ({@code @AttributionPatch}: one clean, one corrupted and one backward pass) on the same grids, alternating
 * them round by round on one loaded model. Grids: {@code resid_pre} layer × position, and each head's output
 * {@code attn.hook_z} layer × head × position (a grid {@code heads} times larger). Inputs: {@code --batch} rows of
 * {@code --seq} tokens, a random first half repeated (clean) or followed by fresh tokens (corrupted); the metric is
 * the mean log-probability of the clean run's second-half tokens. Prints one line per timed run, then the median of
 * each and the ratio.
 *
 * <pre>{@code java -cp ... dev.arrakis.samples.bench.AttributionPatchingBenchmark --model models/induction-2l}</pre>
 */
@Command(name = "attribution-patching-benchmark", mixinStandardHelpOptions = true)
public final class AttributionPatchingBenchmark implements Callable<Integer> {

    @Option(names = "--model", defaultValue = "models/induction-2l")
    private Path model;

    @Option(names = "--threads", defaultValue = "2")
    private int threads;

    @Option(names = "--batch", defaultValue = "8")
    private int batch;

    @Option(names = "--seq", defaultValue = "64")
    private int seq;

    @Option(names = "--rounds", defaultValue = "3")
    private int rounds;

    public static void main(String[] args) {
        System.exit(new CommandLine(new AttributionPatchingBenchmark()).execute(args));
    }

    @Override
    public Integer call() {
        BenchmarkSupport.useThreads(threads);
        try (HookedTransformer transformer = HookedTransformer.load(model.toAbsolutePath().normalize())) {
            int vocab = transformer.config().vocabSize();
            TokenBatch clean = repeated(BenchmarkSupport.randomTokens(batch, seq / 2, vocab, 1), seq);
            TokenBatch corrupted = withFreshSecondHalf(clean, vocab, 2);
            HandBuiltExperiment definition = definition(transformer.config(), clean, corrupted);
            try (ExperimentRunner runner = ExperimentRunner.open(definition,
                    RunnerOptions.defaults().withModel(transformer))) {
                for (String grid : List.of("resid_pre", "z")) {
                    runner.run(grid + "-activation", Map.of()); // warm-up
                    runner.run(grid + "-attribution", Map.of());
                    double[] activation = new double[rounds];
                    double[] attribution = new double[rounds];
                    int cells = 0;
                    for (int round = 0; round < rounds; round++) {
                        long started = System.nanoTime();
                        cells = runner.run(grid + "-activation", Map.of()).points();
                        activation[round] = (System.nanoTime() - started) / 1e6;
                        started = System.nanoTime();
                        runner.run(grid + "-attribution", Map.of());
                        attribution[round] = (System.nanoTime() - started) / 1e6;
                        System.out.printf("%s round %d: activation %.0f ms, attribution %.0f ms%n", grid, round,
                                activation[round], attribution[round]);
                    }
                    Arrays.sort(activation);
                    Arrays.sort(attribution);
                    double a = BenchmarkSupport.percentile(activation, 50);
                    double b = BenchmarkSupport.percentile(attribution, 50);
                    System.out.printf("%s grid (%d cells, batch %d x seq %d): activation patching %.0f ms,"
                            + " attribution patching %.0f ms, ratio %.1fx%n", grid, cells, batch, seq, a, b, a / b);
                }
            }
        }
        return 0;
    }

    private static TokenBatch repeated(TokenBatch half, int seq) {
        long[][] rows = new long[half.batchSize()][seq];
        for (int row = 0; row < rows.length; row++) {
            for (int position = 0; position < seq; position++) {
                rows[row][position] = half.token(row, position % half.sequenceLength());
            }
        }
        return TokenBatch.of(rows);
    }

    private static TokenBatch withFreshSecondHalf(TokenBatch clean, int vocab, long seed) {
        Random random = new Random(seed);
        long[][] rows = new long[clean.batchSize()][clean.sequenceLength()];
        for (int row = 0; row < rows.length; row++) {
            for (int position = 0; position < rows[row].length; position++) {
                rows[row][position] = position < rows[row].length / 2 ? clean.token(row, position)
                        : random.nextInt(vocab);
            }
        }
        return TokenBatch.of(rows);
    }

    /** The four runs, written by hand: the model is given at run time, not named by an {@code @Experiment}. */
    private static HandBuiltExperiment definition(ModelConfig shape, TokenBatch clean, TokenBatch corrupted) {
        List<InputDefinition<Object, ?>> inputs = List.of(
                new InputDefinition<>("clean", TokenBatch.class.getCanonicalName(), (e, m) -> clean),
                new InputDefinition<>("corrupted", TokenBatch.class.getCanonicalName(), (e, m) -> corrupted));
        List<RunDefinition<Object>> runs = new ArrayList<>();
        LogitMetric metric = LogitMetric.nextTokenLogProb(clean, clean.sequenceLength() / 2);
        Intervention resid = Intervention.Patching.builder("hook_resid_pre", "clean", "corrupted")
                .layers(Selection.everyIndex()).positions(Selection.everyIndex()).build();
        Intervention z = Intervention.Patching.builder("attn.hook_z", "clean", "corrupted")
                .layers(Selection.everyIndex()).heads(Selection.everyIndex()).positions(Selection.everyIndex())
                .build();
        for (var grid : Map.of("resid_pre", resid, "z", z).entrySet()) {
            runs.add(RunDefinition.<Object>builder(grid.getKey() + "-activation").intervention(grid.getValue())
                    .resultType("double")
                    .invoker((e, c) -> metric.apply(c.logits().array()).getFloat()));
            runs.add(RunDefinition.<Object>builder(grid.getKey() + "-attribution").intervention(grid.getValue())
                    .attributionPatching().resultType("double")
                    .invoker((e, c) -> metric.apply(c.logits().array())));
        }
        return new HandBuiltExperiment(AttributionPatchingBenchmark.class, "models/induction-2l/config.json", shape,
                inputs, runs);
    }
}
