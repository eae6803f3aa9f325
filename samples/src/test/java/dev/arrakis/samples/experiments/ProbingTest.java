package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.tools.probes.ProbeReport;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The probing sample, run by its generated runner, checked from outside the probe code: the held-out split is
 * redrawn here from its documented seed, the activations come from a plain cached forward pass, and each recorded
 * probe (its weights and bias) is applied by hand: its held-out accuracy is the reported one, and its objective's
 * gradient on the fitted examples, written out here, vanishes (the fit is the optimum, not an early stop).
 */
class ProbingTest {
    private static HookedTransformer model;
    private static ExperimentRunner runner;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        runner = ExperimentRunner.open(ExperimentRegistry.load(ProbingTest.class.getClassLoader()).find("Probing"),
                RunnerOptions.defaults().withModel(model));
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    @Test
    void eachRecordedProbeScoresWhatItReportsAndIsAtItsOptimum() {
        RunOutcome outcome = runner.run("probes", Map.of());
        ProbeReport report = (ProbeReport) outcome.values().get(0);
        TokenBatch tokens = new Probing().sequences();
        int[][] labels = Probing.seenBefore(tokens);
        int examples = tokens.batchSize() * tokens.sequenceLength();
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(Probing.OPTIONS.seed()));
        int tested = (int) Math.round(examples * Probing.OPTIONS.heldOut());
        List<Integer> train = order.subList(0, examples - tested);
        List<Integer> test = order.subList(examples - tested, examples);
        int length = tokens.sequenceLength();
        try (ForwardResult pass = model.runWithCache(tokens, Probing.STREAM.toArray(String[]::new))) {
            for (int h = 0; h < Probing.STREAM.size(); h++) {
                float[] activations = pass.cache().get(Probing.STREAM.get(h)).toFloatArray();
                int width = model.config().dModel();
                double[] w = report.weights()[h][0];
                double b = report.bias()[h][0];
                int correct = 0;
                for (int example : test) {
                    double logit = logit(activations, example, width, w, b);
                    int predicted = logit > 0 ? 0 : 1;
                    correct += predicted == labels[example / length][example % length] ? 1 : 0;
                }
                double accuracy = (double) correct / test.size();
                assertEquals(accuracy, report.accuracy()[h], 1e-12, Probing.STREAM.get(h) + ": held-out accuracy by"
                        + " hand " + accuracy + ", reported " + report.accuracy()[h]);
                // Class 0 ("not seen") against the reference class 1: d/dw of the mean cross-entropy plus
                // (l2/2)|w|^2 is mean((p0 - [y = 0]) x) + l2 w.
                double[] gradient = new double[width + 1];
                for (int example : train) {
                    double p0 = 1 / (1 + Math.exp(-logit(activations, example, width, w, b)));
                    double residual = p0 - (labels[example / length][example % length] == 0 ? 1 : 0);
                    for (int j = 0; j < width; j++) {
                        gradient[j] += residual * activations[example * width + j] / train.size();
                    }
                    gradient[width] += residual / train.size();
                }
                double largest = 0;
                for (int j = 0; j < width; j++) {
                    largest = Math.max(largest, Math.abs(gradient[j] + Probing.OPTIONS.l2() * w[j]));
                }
                largest = Math.max(largest, Math.abs(gradient[width]));
                assertTrue(largest < 1e-6, Probing.STREAM.get(h) + ": largest gradient entry at the recorded probe "
                        + largest);
            }
        }
        assertEquals(report.accuracy()[2] - report.controlAccuracy()[2], report.selectivity()[2], 1e-12,
                "selectivity after block 1");
        assertTrue(report.selectivity()[0] < 0 && report.selectivity()[2] > 0, "selectivity negative on the"
                + " embeddings and positive after block 1, as the javadoc says: " + report);
    }

    @Test
    void thePlottedRowsAreTheReportsScores() {
        ProbeReport report = (ProbeReport) runner.run("probes", Map.of()).values().get(0);
        ArrayValue plotted = (ArrayValue) runner.run("byLayer", Map.of()).values().get(0);
        for (int h = 0; h < 3; h++) {
            assertEquals(report.accuracy()[h], plotted.get(0, h), 0.0, "accuracy row, column " + h);
            assertEquals(report.controlAccuracy()[h], plotted.get(1, h), 0.0, "control row, column " + h);
            assertEquals(report.selectivity()[h], plotted.get(2, h), 0.0, "selectivity row, column " + h);
        }
    }

    private static double logit(float[] activations, int example, int width, double[] w, double b) {
        double logit = b;
        for (int j = 0; j < width; j++) {
            logit += w[j] * activations[example * width + j];
        }
        return logit;
    }
}
