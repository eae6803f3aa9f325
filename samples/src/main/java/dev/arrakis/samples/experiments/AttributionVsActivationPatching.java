package dev.arrakis.samples.experiments;

import ai.djl.ndarray.NDArray;
import dev.arrakis.annotations.AttributionPatch;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Patch;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.plot.PlotRenderer;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.plot.Plots;
import dev.arrakis.tools.gradients.LogitMetric;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.train.InductionTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How well does attribution patching (Nanda 2023; Syed et al. 2023) stand in for activation patching on a real
 * circuit? On our trained induction model ({@code models/induction-2l}) we run eight sequences of 32 random tokens
 * repeated once (clean) and the same sequences with a fresh second half (corrupted). The metric is the mean
 * log-probability the model gives the clean run's repeated tokens (positions 32 to 62 predicting 33 to 63), which
 * only an induction circuit can raise. We patch the clean residual stream ({@code hook_resid_pre}) into the corrupted
 * run at every layer and position and measure how much of the metric comes back ({@link #activationPatching}, 128
 * patched runs), then estimate the same grid to first order, {@code (clean - corrupted) · ∂metric/∂resid_pre} on the
 * corrupted run ({@link #attributionPatching}, one clean pass, one corrupted pass, one backward pass). Both are the
 * change from the corrupted run's metric, so {@link #sideBySide} draws them on one colour scale, and
 * {@link #correlation} compares them. We do the same for each head's output ({@code attn.hook_z}, layer × head: eight
 * patched runs against the same three passes). {@link #compare} runs all four and prints both correlations; {@code
 * main} also draws the side-by-side picture into the directory it is given.
 */
@Experiment(config = "models/induction-2l/config.json")
public class AttributionVsActivationPatching {
    static final int SEQUENCES = 8;
    static final int HALF = 32;
    static final int VOCAB = 64;

    /** The corrupted run's metric, measured once per run of the sweep. */
    private Double corruptedMetric;

    @Input
    TokenBatch clean() {
        return InductionTask.repeatedHalves(VOCAB, 2 * HALF).batches(SEQUENCES, 15).next();
    }

    @Input
    TokenBatch corrupted() {
        return freshSecondHalf(clean(), 16);
    }

    /** Mean log-probability of the clean run's repeated tokens. */
    static LogitMetric repeatLogProb(TokenBatch clean) {
        return LogitMetric.nextTokenLogProb(clean, HALF);
    }

    @Patch(hook = "hook_resid_pre", layer = Sweep.ALL, position = Sweep.ALL)
    @Plot(title = "activation patching: change of the repeated tokens' log-prob")
    double activationPatching(Logits logits, TokenBatch clean, TokenBatch corrupted, HookedTransformer model) {
        if (corruptedMetric == null) {
            try (ForwardResult run = model.forward(corrupted)) {
                corruptedMetric = value(repeatLogProb(clean), run.logits());
            }
        }
        return value(repeatLogProb(clean), logits.array()) - corruptedMetric;
    }

    @AttributionPatch(hook = "hook_resid_pre", layer = Sweep.ALL, position = Sweep.ALL)
    @Plot(title = "attribution patching: estimated change of the repeated tokens' log-prob")
    NDArray attributionPatching(Logits logits, TokenBatch clean) {
        return repeatLogProb(clean).apply(logits.array());
    }

    @Patch(hook = "attn.hook_z", layer = Sweep.ALL, head = Sweep.ALL)
    @Plot(title = "activation patching of each head's output")
    double headPatching(Logits logits, TokenBatch clean, TokenBatch corrupted, HookedTransformer model) {
        return activationPatching(logits, clean, corrupted, model);
    }

    @AttributionPatch(hook = "attn.hook_z", layer = Sweep.ALL, head = Sweep.ALL)
    @Plot(title = "attribution patching of each head's output")
    NDArray headAttribution(Logits logits, TokenBatch clean) {
        return attributionPatching(logits, clean);
    }

    /**
     * The four runs' grids and the correlation of measured and estimated on each grid.
     *
     * @param residMeasured {@code [layer × position]} from {@link #activationPatching}
     * @param residEstimated the same from {@link #attributionPatching}
     * @param headsMeasured {@code [layer × head]} from {@link #headPatching}
     * @param headsEstimated the same from {@link #headAttribution}
     */
    public record Comparison(double[] residMeasured, double[] residEstimated, double[] headsMeasured,
            double[] headsEstimated) {

        public double residCorrelation() {
            return correlation(residMeasured, residEstimated);
        }

        public double headCorrelation() {
            return correlation(headsMeasured, headsEstimated);
        }
    }

    /** Runs the four runs with the runner and prints how the estimates compare. */
    public static Comparison compare(ExperimentRunner runner) {
        Comparison comparison = new Comparison(values(runner.run("activationPatching")),
                values(runner.run("attributionPatching")), values(runner.run("headPatching")),
                values(runner.run("headAttribution")));
        System.out.printf("resid_pre, layer x position (%d cells): correlation %.3f%n",
                comparison.residMeasured().length, comparison.residCorrelation());
        System.out.printf("head outputs, layer x head (%d cells): correlation %.3f%n",
                comparison.headsMeasured().length, comparison.headCorrelation());
        return comparison;
    }

    private static double[] values(RunOutcome outcome) {
        return outcome.values().stream().mapToDouble(value -> ((Number) value).doubleValue()).toArray();
    }

    /** Runs the comparison on {@code models/induction-2l} and draws {@link #sideBySide} into {@code args[0]}. */
    public static void main(String[] args) {
        try (ExperimentRunner runner = ExperimentRunner.open(ExperimentRegistry.load(
                AttributionVsActivationPatching.class.getClassLoader()).find("AttributionVsActivationPatching"))) {
            Comparison comparison = compare(runner);
            if (args.length > 0) {
                new PlotRenderer().render(sideBySide(comparison.residMeasured(), comparison.residEstimated(),
                        runner.model().config().layers()), Path.of(args[0]), "attribution-vs-activation-patching");
            }
        }
    }

    /** The corrupted run with a fresh second half: the same first half, new tokens where the repeat was. */
    static TokenBatch freshSecondHalf(TokenBatch clean, long seed) {
        Random random = new Random(seed);
        long[][] rows = new long[clean.batchSize()][clean.sequenceLength()];
        for (int row = 0; row < rows.length; row++) {
            for (int position = 0; position < rows[row].length; position++) {
                rows[row][position] = position < HALF ? clean.token(row, position) : random.nextInt(VOCAB);
            }
        }
        return TokenBatch.of(rows);
    }

    /**
     * Both grids ({@code [layer × position]}, row-major, as the runs record them) in one heat map, activation patching
     * above attribution patching, so they share one colour scale.
     */
    public static PlotRequest sideBySide(double[] activation, double[] attribution, int layers) {
        int positions = activation.length / layers;
        double[][] rows = new double[2 * layers][];
        List<String> labels = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            rows[layer] = java.util.Arrays.copyOfRange(activation, layer * positions, (layer + 1) * positions);
            labels.add("patched L" + layer);
        }
        for (int layer = 0; layer < layers; layer++) {
            rows[layers + layer] = java.util.Arrays.copyOfRange(attribution, layer * positions,
                    (layer + 1) * positions);
            labels.add("estimated L" + layer);
        }
        return Plots.heatmap("resid_pre patching on induction-2l: measured (top) vs attribution estimate (bottom)",
                "run, layer", labels, "position", Plots.indexTicks(positions), rows);
    }

    /** Pearson correlation of two grids. */
    public static double correlation(double[] a, double[] b) {
        return dev.arrakis.tools.patching.AttributionGrid.correlation(a, b);
    }

    private static double value(LogitMetric metric, NDArray logits) {
        return metric.apply(logits).getFloat();
    }
}
