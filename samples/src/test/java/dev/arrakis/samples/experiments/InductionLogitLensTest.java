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
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The logit-lens sample on the committed induction model, against the same quantities written out by hand from cached
 * activations and the weights (no lens, stack or attribution tool involved): a LayerNorm and an unembedding per layer
 * for the lens, and each head's {@code z · W_O} through the final norm's cached scale for the attribution. The heads
 * it names must be the ones {@link InductionHeads} calls induction heads.
 */
class InductionLogitLensTest {
    private static final double TOLERANCE = 1e-4;
    private static final int HALF = InductionLogitLens.HALF;

    private static HookedTransformer model;
    private static ExperimentRegistry registry;
    private static ExperimentRunner runner;
    private static TokenBatch repeated;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        registry = ExperimentRegistry.load(InductionLogitLensTest.class.getClassLoader());
        runner = ExperimentRunner.open(registry.find("InductionLogitLens"), RunnerOptions.defaults().withModel(model));
        repeated = new InductionLogitLens().repeated();
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    private static double[] arrayRun(String run) {
        RunOutcome outcome = runner.run(run, Map.of());
        assertEquals(1, outcome.points(), run + " points");
        return ((ArrayValue) outcome.values().get(0)).values();
    }

    private static float[] floats(String name) {
        return model.weights().get(name).toFloatArray();
    }

    /** {@code softmax(LayerNorm_final(x) · W_U)[token]}, the norm recomputed on {@code x}, all in doubles. */
    private static double lensProbability(float[] residual, int offset, long token) {
        int dModel = model.config().dModel();
        int vocab = model.config().vocabSize();
        float[] gain = model.weights().lnFinalWeight().toFloatArray();
        float[] bias = model.weights().lnFinalBias().toFloatArray();
        float[] unembedding = model.weights().unembedding().toFloatArray();   // [d_model, d_vocab]
        double mean = 0;
        for (int d = 0; d < dModel; d++) {
            mean += residual[offset + d] / (double) dModel;
        }
        double variance = 0;
        for (int d = 0; d < dModel; d++) {
            variance += Math.pow(residual[offset + d] - mean, 2) / dModel;
        }
        double scale = Math.sqrt(variance + 1e-5);
        double[] normed = new double[dModel];
        for (int d = 0; d < dModel; d++) {
            normed[d] = (residual[offset + d] - mean) / scale * gain[d] + bias[d];
        }
        double[] logits = new double[vocab];
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            for (int d = 0; d < dModel; d++) {
                logits[v] += normed[d] * unembedding[d * vocab + v];
            }
            max = Math.max(max, logits[v]);
        }
        double sum = 0;
        for (double logit : logits) {
            sum += Math.exp(logit - max);
        }
        return Math.exp(logits[(int) token] - max) / sum;
    }

    /** The residual read by each lens layer: 0_pre, 1_pre, final_post. */
    private static final List<String> LENS_POINTS = List.of("blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre",
            "blocks.1.hook_resid_post");

    /** {@code [layer]}: mean over rows and positions {@code from .. to - 1} of the next token's lens probability. */
    private static double[] handLens(int from, int to) {
        int length = repeated.sequenceLength();
        int dModel = model.config().dModel();
        double[] probability = new double[LENS_POINTS.size()];
        try (ForwardResult pass = model.runWithCache(repeated, LENS_POINTS.toArray(String[]::new))) {
            for (int layer = 0; layer < LENS_POINTS.size(); layer++) {
                float[] residual = pass.cache().get(LENS_POINTS.get(layer)).toFloatArray();
                for (int row = 0; row < repeated.batchSize(); row++) {
                    for (int position = from; position < to; position++) {
                        probability[layer] += lensProbability(residual, (row * length + position) * dModel,
                                repeated.token(row, position + 1)) / (repeated.batchSize() * (to - from));
                    }
                }
            }
        }
        return probability;
    }

    @Test
    void theLensIsTheFinalNormAndUnembeddingRecomputedOnEachLayersResidual() {
        double[] repeat = arrayRun("repeatByLayer");
        double[] first = arrayRun("firstHalfByLayer");
        double[] repeatByHand = handLens(HALF, 2 * HALF - 1);
        double[] firstByHand = handLens(0, HALF - 1);
        for (int layer = 0; layer < LENS_POINTS.size(); layer++) {
            assertEquals(repeatByHand[layer], repeat[layer], TOLERANCE, "repeated half at " + LENS_POINTS.get(layer)
                    + ": sample " + repeat[layer] + " vs by hand " + repeatByHand[layer]);
            assertEquals(firstByHand[layer], first[layer], TOLERANCE, "first half at " + LENS_POINTS.get(layer)
                    + ": sample " + first[layer] + " vs by hand " + firstByHand[layer]);
        }
        // The finding: the repeat becomes readable only after layer 1, where the induction heads are.
        assertTrue(repeat[1] < 2.0 / 64 && repeat[2] > 0.5 && first[2] < 2.0 / 64, "lens repeat "
                + Arrays.toString(repeat) + ", first half " + Arrays.toString(first) + " (uniform 1/64 = 0.016)");
    }

    /**
     * Each head's output {@code z[b, p, h] · W_O[h]}, centred and divided by the final norm's cached scale, dotted
     * with {@code w_ln ⊙ (W_U[:, correct] − W_U[:, distractor])}, averaged over the repeated half.
     */
    private static double[][] handHeadAttribution() {
        int layers = model.config().layers();
        int heads = model.config().heads();
        int dHead = model.config().dHead();
        int dModel = model.config().dModel();
        int vocab = model.config().vocabSize();
        int length = repeated.sequenceLength();
        long[][] correct = InductionLogitLens.nextTokens(repeated);
        long[][] distractor = InductionLogitLens.distractors(correct, vocab);
        float[] gain = model.weights().lnFinalWeight().toFloatArray();
        float[] unembedding = model.weights().unembedding().toFloatArray();
        String[] hooks = new String[layers + 1];
        for (int layer = 0; layer < layers; layer++) {
            hooks[layer] = "blocks." + layer + ".attn.hook_z";
        }
        hooks[layers] = "ln_final.hook_scale";
        double[][] grid = new double[layers][heads];
        int counted = repeated.batchSize() * (HALF - 1);
        try (ForwardResult pass = model.runWithCache(repeated, hooks)) {
            float[] scale = pass.cache().get("ln_final.hook_scale").toFloatArray();   // [batch, pos, 1]
            for (int layer = 0; layer < layers; layer++) {
                float[] z = pass.cache().get(hooks[layer]).toFloatArray();             // [batch, pos, head, d_head]
                float[] output = floats("blocks." + layer + ".attn.W_O");           // [head * d_head, d_model]
                for (int row = 0; row < repeated.batchSize(); row++) {
                    for (int position = HALF; position < 2 * HALF - 1; position++) {
                        int c = (int) correct[row][position];
                        int w = (int) distractor[row][position];
                        for (int head = 0; head < heads; head++) {
                            double[] written = new double[dModel];
                            double mean = 0;
                            for (int d = 0; d < dModel; d++) {
                                for (int e = 0; e < dHead; e++) {
                                    written[d] += z[((row * length + position) * heads + head) * dHead + e]
                                            * output[(head * dHead + e) * dModel + d];
                                }
                                mean += written[d] / dModel;
                            }
                            double dot = 0;
                            for (int d = 0; d < dModel; d++) {
                                dot += (written[d] - mean) * gain[d]
                                        * (unembedding[d * vocab + c] - unembedding[d * vocab + w]);
                            }
                            grid[layer][head] += dot / scale[row * length + position] / counted;
                        }
                    }
                }
            }
        }
        return grid;
    }

    @Test
    void eachHeadsAttributionIsItsOutputThroughTheCachedFinalNorm() {
        double[] sample = arrayRun("headAttribution");
        double[][] byHand = handHeadAttribution();
        int heads = model.config().heads();
        assertEquals(byHand.length * heads, sample.length, "layer x head values: " + Arrays.toString(sample));
        for (int layer = 0; layer < byHand.length; layer++) {
            for (int head = 0; head < heads; head++) {
                assertEquals(byHand[layer][head], sample[layer * heads + head], TOLERANCE, "L" + layer + "H" + head
                        + ": sample " + sample[layer * heads + head] + " vs by hand " + byHand[layer][head]);
            }
        }
    }

    /** {@code L1H3} and the like, in the order a line of the verdict names them. */
    private static List<String> headsNamed(String line) {
        List<String> heads = new ArrayList<>();
        Matcher matcher = Pattern.compile("L\\d+H\\d+").matcher(line);
        while (matcher.find()) {
            heads.add(matcher.group());
        }
        return heads;
    }

    private static String lineStarting(String text, String start) {
        return text.lines().filter(line -> line.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + start + "' in\n" + text));
    }

    @Test
    void theHeadsThatWriteTheAnswerAreTheInductionHeadsInductionHeadsNames() {
        String verdict = (String) runner.run("verdict", Map.of()).values().get(0);
        double[][] byHand = handHeadAttribution();
        Matcher total = Pattern.compile("repeated half: (-?[0-9.]+) in all").matcher(verdict);
        assertTrue(total.find(), "the total attribution in\n" + verdict);
        double threshold = InductionLogitLens.WRITES * Double.parseDouble(total.group(1));
        List<String> expected = new ArrayList<>();
        for (int layer = 0; layer < byHand.length; layer++) {
            for (int head = 0; head < byHand[layer].length; head++) {
                if (byHand[layer][head] > threshold) {
                    expected.add("L" + layer + "H" + head);
                }
            }
        }
        expected.sort((a, b) -> Double.compare(valueOf(byHand, b), valueOf(byHand, a)));
        List<String> named = headsNamed(lineStarting(verdict, "heads writing"));
        assertEquals(expected, named, "heads above " + threshold + " by hand " + Arrays.deepToString(byHand)
                + " vs the verdict\n" + verdict);

        String inductionVerdict;
        try (ExperimentRunner induction = ExperimentRunner.open(registry.find("InductionHeads"),
                RunnerOptions.defaults().withModel(model))) {
            inductionVerdict = (String) induction.run("verdict", Map.of()).values().get(0);
        }
        List<String> inductionHeads = headsNamed(lineStarting(inductionVerdict, "induction heads"));
        assertTrue(!named.isEmpty() && inductionHeads.containsAll(named), "writers " + named
                + " vs the induction heads of InductionHeads' verdict " + inductionHeads);
        for (String head : named) {
            assertTrue(verdict.contains(head + " " + String.format(java.util.Locale.ROOT, "%+.2f",
                    valueOf(byHand, head))) && verdict.contains("an induction head"), head + " by hand "
                    + valueOf(byHand, head) + " in\n" + verdict);
        }
    }

    private static double valueOf(double[][] grid, String head) {
        return grid[Integer.parseInt(head.substring(1, head.indexOf('H')))][Integer.parseInt(
                head.substring(head.indexOf('H') + 1))];
    }
}
