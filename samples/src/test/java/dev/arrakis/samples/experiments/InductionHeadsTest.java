package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.tools.weights.CompositionScores;
import dev.arrakis.train.ToyModels;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The flagship sample on the committed induction model: what it finds is what the model does, checked against a
 * plain forward pass (the repeat loss written out from the logits) and against the textbook structure the
 * training record reports (layer-0 heads attend to the previous token, layer-1 heads to the induction target, and
 * knocking out any head hurts the repeat).
 */
class InductionHeadsTest {
    private static HookedTransformer model;
    private static ExperimentRunner runner;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        runner = ExperimentRunner.open(ExperimentRegistry.load(InductionHeadsTest.class.getClassLoader())
                .find("InductionHeads"), RunnerOptions.defaults().withModel(model));
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    private static double[] values(String run) {
        RunOutcome outcome = runner.run(run, Map.of());
        if (outcome.points() == 1) {
            return ((ArrayValue) outcome.values().get(0)).values();
        }
        return outcome.values().stream().mapToDouble(value -> ((Number) value).doubleValue()).toArray();
    }

    @Test
    void theRepeatIsPredictedAsTheLossWrittenOutFromTheLogitsSays() {
        TokenBatch repeated = new InductionHeads().repeated();
        double byHand = 0;
        int counted = 0;
        try (ForwardResult pass = model.forward(repeated)) {
            float[] logits = pass.logits().toFloatArray();
            int vocab = model.config().vocabSize();
            int length = repeated.sequenceLength();
            for (int row = 0; row < repeated.batchSize(); row++) {
                for (int position = InductionHeads.HALF; position < length - 1; position++) {
                    int at = (row * length + position) * vocab;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vocab; v++) {
                        max = Math.max(max, logits[at + v]);
                    }
                    double sum = 0;
                    for (int v = 0; v < vocab; v++) {
                        sum += Math.exp(logits[at + v] - max);
                    }
                    byHand += max + Math.log(sum) - logits[at + (int) repeated.token(row, position + 1)];
                    counted++;
                }
            }
        }
        byHand /= counted;
        double baseline = (Double) runner.run("baseline", Map.of()).values().get(0);
        assertEquals(byHand, baseline, 1e-5, "repeat loss of the sample vs written out from the logits");
        assertTrue(baseline < 0.5, "the trained model predicts the repeat: " + baseline + " nats vs ln 64 = 4.16");
    }

    @Test
    void layerZeroFollowsThePreviousTokenAndLayerOneTheInductionTarget() {
        double[] previous = values("previousTokenHeads");
        double[] induction = values("inductionHeads");
        int heads = model.config().heads();
        for (int head = 0; head < heads; head++) {
            assertTrue(previous[head] > previous[heads + head] + 0.2, "previous-token L0H" + head + " "
                    + previous[head] + " vs L1H" + head + " " + previous[heads + head]);
            assertTrue(induction[heads + head] > induction[head] + 0.3, "induction L1H" + head + " "
                    + induction[heads + head] + " vs L0H" + head + " " + induction[head]);
        }
    }

    @Test
    void everyHeadTheRepeatNeedsRaisesItsLossWhenAblated() {
        double baseline = (Double) runner.run("baseline", Map.of()).values().get(0);
        for (String run : List.of("zeroAblated", "meanAblated")) {
            double[] losses = values(run);
            assertEquals(2 * model.config().heads(), losses.length, run + " points");
            for (int point = 0; point < losses.length; point++) {
                assertTrue(losses[point] > baseline, run + " of L" + point / 4 + "H" + point % 4 + ": "
                        + losses[point] + " vs baseline " + baseline);
            }
        }
    }

    @Test
    void theVerdictNamesTheHeadsWithTheirScores() {
        String verdict = (String) runner.run("verdict", Map.of()).values().get(0);
        double[] previous = values("previousTokenHeads");
        double[] induction = values("inductionHeads");
        for (int point = 0; point < previous.length; point++) {
            String head = "L" + point / 4 + "H" + point % 4;
            assertEquals(previous[point] > InductionHeads.FOLLOWS,
                    verdict.contains(String.format(java.util.Locale.ROOT, "%s %.2f", head, previous[point])),
                    head + " previous-token " + previous[point] + " in\n" + verdict);
            assertEquals(induction[point] > InductionHeads.FOLLOWS,
                    verdict.contains(String.format(java.util.Locale.ROOT, "%s %.2f", head, induction[point])),
                    head + " induction " + induction[point] + " in\n" + verdict);
        }
    }

    /**
     * Training raised K-composition between the layers and lowered Q and V: the induction heads find their target
     * through keys that the previous-token heads wrote. Scores read from the weights, here directly.
     */
    @Test
    void trainingRaisedKeyCompositionAboveQueryAndValueAndAboveItsStart() {
        double key = InductionHeads.meanIntoLayerOne(CompositionScores.of(model, CompositionKind.K));
        double query = InductionHeads.meanIntoLayerOne(CompositionScores.of(model, CompositionKind.Q));
        double value = InductionHeads.meanIntoLayerOne(CompositionScores.of(model, CompositionKind.V));
        double keyBefore;
        try (HookedTransformer initial = ToyModels.create(model.config(), InductionHeads.TRAINING_SEED)) {
            keyBefore = InductionHeads.meanIntoLayerOne(CompositionScores.of(initial, CompositionKind.K));
        }
        assertTrue(key > 1.5 * Math.max(query, value) && key > keyBefore + 0.05,
                "K " + key + " vs Q " + query + ", V " + value + ", K before training " + keyBefore);
        String verdict = (String) runner.run("verdict", Map.of()).values().get(0);
        assertTrue(verdict.contains(String.format(java.util.Locale.ROOT, "K %.3f, Q %.3f, V %.3f", key, query, value)),
                "the verdict reports K " + key + ", Q " + query + ", V " + value + ":\n" + verdict);
    }
}
