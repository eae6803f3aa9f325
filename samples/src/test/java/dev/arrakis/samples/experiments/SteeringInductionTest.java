package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.engine.ExperimentDefinitionException;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoredRun;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.Intervention;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SteeringInduction's numbers against computations without the steering tools: the CAA vector is the mean of cached
 * residuals taken by hand, each steered probability comes from a pass whose hook adds the vector by explicit NDArray
 * operations, and the ActAdd pair vector at coefficient 1 turns the prompt ending in 9 into the one ending in 7.
 */
class SteeringInductionTest {
    private static final double TOLERANCE = 1e-5;

    private static HookedTransformer model;
    private static ExperimentRunner runner;
    private static final SteeringInduction SAMPLE = new SteeringInduction();

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        runner = ExperimentRunner.open(ExperimentRegistry.load(SteeringInductionTest.class.getClassLoader())
                .find("SteeringInduction"), RunnerOptions.defaults().withModel(model));
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    @Test
    void eachSteeredProbabilityIsAHandHookedPassWithTheHandMeanDifference() {
        float[] direction = handMeanDifference();
        double[] afterSeven = values("afterSevenByCoefficient");
        double[] afterNine = values("afterNineByCoefficient");
        assertEquals(SteeringInduction.COEFFICIENTS.length, afterSeven.length, "one probability per coefficient");
        for (int i = 0; i < afterSeven.length; i++) {
            double[] expected = handSteeredProbabilities(direction, SteeringInduction.COEFFICIENTS[i], 1);
            assertEquals(expected[0], afterSeven[i], TOLERANCE, "P(10) at coefficient "
                    + SteeringInduction.COEFFICIENTS[i]);
            assertEquals(expected[1], afterNine[i], TOLERANCE, "P(12) at coefficient "
                    + SteeringInduction.COEFFICIENTS[i]);
        }
        // The shift the sample reports: the model copies 12 unsteered and 10 at the largest coefficient.
        assertTrue(afterNine[0] > 0.99 && afterSeven[0] < 0.01, "unsteered P(12) " + afterNine[0] + ", P(10) "
                + afterSeven[0]);
        int last = afterSeven.length - 1;
        assertTrue(afterSeven[last] > 0.99 && afterNine[last] < 0.01, "at coefficient 1.5 P(10) " + afterSeven[last]
                + ", P(12) " + afterNine[last]);
    }

    @Test
    void theVerdictReportsTheActAddPairAsTurningTheLastTokenIntoA7() {
        String verdict = (String) runner.run("verdict", Map.of()).values().get(0);
        float[] positive = lastLogits(TokenBatch.of(SteeringInduction.promptEndingIn(7)), RunOptions.none());
        double p10 = softmax(positive)[10];
        assertTrue(verdict.contains(String.format(java.util.Locale.ROOT, "x 1: P(12) %.3f, P(10) %.3f",
                softmax(positive)[12], p10)), "the verdict's ActAdd line is the prompt ending in 7's own"
                + " probabilities (P(10) " + p10 + "): " + verdict);
    }

    /**
     * The declared {@code @Steer} run equals the hand-hooked pass at its coefficient and layer, and command-line
     * overrides change both: {@code coefficient=0.5} is the hand pass at 0.5, {@code layer=0,1} two points, the
     * first the hand pass adding at blocks.0.hook_resid_pre.
     */
    @Test
    void theDeclaredSteeringFollowsItsOverrides() {
        float[] direction = handMeanDifference();
        RunOutcome declared = runner.run("steeredAfterSeven", Map.of());
        assertEquals(handSteeredProbabilities(direction, 1, 1)[0], number(declared, 0), TOLERANCE,
                "@Steer(layer = 1, coefficient = 1): P(10)");
        RunOutcome half = runner.run("steeredAfterSeven", Map.of("coefficient", "0.5"));
        assertEquals(handSteeredProbabilities(direction, 0.5, 1)[0], number(half, 0), TOLERANCE,
                "coefficient=0.5: P(10)");
        RunOutcome layers = runner.run("steeredAfterSeven", Map.of("layer", "0,1", "coefficient", "0.5"));
        assertEquals(2, layers.points(), "layer=0,1 sweeps two points");
        assertEquals(handSteeredProbabilities(direction, 0.5, 0)[0], number(layers, 0), TOLERANCE,
                "layer=0 coefficient=0.5: P(10)");
        assertEquals(number(half, 0), number(layers, 1), TOLERANCE, "layer=1 coefficient=0.5: P(10)");
        ExperimentDefinitionException bad = assertThrows(ExperimentDefinitionException.class,
                () -> runner.run("steeredAfterSeven", Map.of("coefficient", "strong")));
        assertEquals("[Experiment/Override] 'coefficient=strong' is not a number; write e.g. coefficient=2.5",
                bad.getMessage());
    }

    /**
     * {@code coefficient=0,0.5,1} sweeps: three points in one batched pass, each equal to the run overridden with that
     * one coefficient and to the hand-hooked pass; the axis is labelled with the values, and a stored record reads
     * them back per point.
     */
    @Test
    void aCoefficientListSweepsOnePointPerValue(@TempDir Path store) {
        float[] direction = handMeanDifference();
        double[] coefficients = {0, 0.5, 1};
        RunOutcome swept = runner.run("steeredAfterSeven", Map.of("coefficient", "0,0.5,1"));
        assertEquals(List.of(new SweepAxis("coefficient", List.of(0, 1, 2), List.of("0", "0.5", "1"))),
                swept.axes(), "the coefficient axis indexes the listed values");
        assertEquals(2, swept.record().timings().forwardPasses(),
                "the base pass, then the three points of one row in one pass resumed at block 1");
        for (int i = 0; i < coefficients.length; i++) {
            double single = number(runner.run("steeredAfterSeven", Map.of("coefficient",
                    String.valueOf(coefficients[i]))), 0);
            assertEquals(single, number(swept, i), 0.0, "point " + i + " against the run with coefficient="
                    + coefficients[i]);
            assertEquals(handSteeredProbabilities(direction, coefficients[i], 1)[0], number(swept, i), TOLERANCE,
                    "point " + i + " against the hand-hooked pass at coefficient " + coefficients[i]);
        }
        StoredRun stored = RunStore.open(store).save(swept.record());
        // The fixed layer and position name every point too, as for any one-intervention run.
        assertEquals(List.of(Map.of("layer", "1", "position", "-1", "coefficient", "0"),
                Map.of("layer", "1", "position", "-1", "coefficient", "0.5"),
                Map.of("layer", "1", "position", "-1", "coefficient", "1")),
                stored.labelledCoordinates(), "the record's coefficient at each point");
        Intervention.Steering recorded = (Intervention.Steering) stored.interventions().get(0);
        assertEquals(List.of(0.0, 0.5, 1.0), recorded.sweptCoefficients(), "the recorded steering's coefficients");
    }

    /** {@code layer=0,1 coefficient=0,1}: a 2 x 2 grid, layer the rows, each cell the hand pass at its layer. */
    @Test
    void layerAndCoefficientListsMakeAGrid() {
        float[] direction = handMeanDifference();
        RunOutcome grid = runner.run("steeredAfterSeven", Map.of("layer", "0,1", "coefficient", "0,1"));
        assertEquals(List.of("layer", "coefficient"), grid.axes().stream().map(SweepAxis::name).toList(),
                "axes of layer=0,1 coefficient=0,1");
        assertEquals(4, grid.points(), "2 layers x 2 coefficients");
        for (int layer = 0; layer < 2; layer++) {
            for (int coefficient = 0; coefficient < 2; coefficient++) {
                assertEquals(handSteeredProbabilities(direction, coefficient, layer)[0],
                        ((Number) grid.valueAt(layer, coefficient)).doubleValue(), TOLERANCE,
                        "layer " + layer + " coefficient " + coefficient);
            }
        }
    }

    /** A word in the list fails naming it, with the catalogued override tag. */
    @Test
    void aWordInTheCoefficientListIsNamed() {
        ExperimentDefinitionException bad = assertThrows(ExperimentDefinitionException.class,
                () -> runner.run("steeredAfterSeven", Map.of("coefficient", "0,strong")));
        assertEquals("[Experiment/Override] 'coefficient=0,strong': 'strong' is not a number; write e.g."
                + " coefficient=0,0.5,1", bad.getMessage());
    }

    /**
     * {@code @Steer(coefficient = {0, 0.25, ..., 1.5})} sweeps in the annotation: the same probabilities as the Java
     * API run afterSevenByCoefficient and the hand-hooked passes, plotted with the coefficient values as x ticks.
     */
    @Test
    void theAnnotatedCoefficientSweepIsTheHandSweepPlottedByValue() {
        float[] direction = handMeanDifference();
        RunOutcome swept = runner.run("steeredAfterSevenSwept", Map.of());
        double[] byApi = values("afterSevenByCoefficient");
        assertEquals(SteeringInduction.COEFFICIENTS.length, swept.points(), "one point per declared coefficient");
        for (int i = 0; i < swept.points(); i++) {
            double coefficient = SteeringInduction.COEFFICIENTS[i];
            assertEquals(handSteeredProbabilities(direction, coefficient, 1)[0], number(swept, i), TOLERANCE,
                    "P(10) at coefficient " + coefficient + " against the hand pass");
            assertEquals(byApi[i], number(swept, i), TOLERANCE, "P(10) at coefficient " + coefficient
                    + " against the Java API's");
        }
        PlotRequest plot = swept.record().plot();
        assertEquals("coefficient", plot.columnLabel(), "the plot's x label");
        assertEquals(List.of("0", "0.25", "0.5", "0.75", "1", "1.25", "1.5"), plot.columnTicks(),
                "the plot's x ticks");
    }

    /**
     * {@code @Steer} acts during {@code @Generate}: the run's tokens are a greedy loop of full passes, each steered by
     * the hand hook at the prompt's last position ({@code positions = -1} counts from the end of the run's input, not
     * of the growing sequence), and they differ from the unsteered continuation.
     */
    @Test
    void steeringActsAtEveryGeneratedToken() {
        float[] direction = handMeanDifference();
        long[] generated = Arrays.stream(((ArrayValue) runner.run("steeredContinuation", Map.of()).values().get(0))
                .values()).mapToLong(value -> (long) value).toArray();
        long[] steered = handGreedy(direction, 1, generated.length);
        long[] unsteered = handGreedy(direction, 0, generated.length);
        assertEquals(Arrays.toString(steered), Arrays.toString(generated),
                "steered continuation (unsteered " + Arrays.toString(unsteered) + ")");
        assertEquals(SteeringInduction.AFTER_SECOND, unsteered[0], "unsteered first token "
                + Arrays.toString(unsteered));
        assertEquals(SteeringInduction.AFTER_FIRST, steered[0], "steered first token "
                + Arrays.toString(steered));
    }

    /** Greedy tokens, each from a full pass with {@code coefficient * direction} added at the last position. */
    private static long[] handGreedy(float[] direction, double coefficient, int count) {
        long[] tokens = SteeringInduction.promptEndingIn(SteeringInduction.SECOND);
        int promptEnd = tokens.length - 1;
        long[] generated = new long[count];
        for (int step = 0; step < count; step++) {
            TokenBatch prompt = TokenBatch.of(tokens);
            float[] logits = lastLogits(prompt, steeredAt(promptEnd, direction, coefficient, 1));
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                best = logits[i] > logits[best] ? i : best;
            }
            generated[step] = best;
            tokens = Arrays.copyOf(tokens, tokens.length + 1);
            tokens[tokens.length - 1] = best;
        }
        return generated;
    }

    private static double number(RunOutcome outcome, int point) {
        return ((Number) outcome.values().get(point)).doubleValue();
    }

    private static double[] values(String run) {
        return ((ArrayValue) runner.run(run, Map.of()).values().get(0)).values();
    }

    /** Mean over rows of blocks.1.hook_resid_pre at the last position, ending-in-7 minus ending-in-9. */
    private static float[] handMeanDifference() {
        double[] mean = new double[64];
        addMean(SAMPLE.endingIn7(), mean, 1);
        addMean(SAMPLE.endingIn9(), mean, -1);
        float[] direction = new float[64];
        for (int i = 0; i < 64; i++) {
            direction[i] = (float) mean[i];
        }
        return direction;
    }

    private static void addMean(TokenBatch prompts, double[] into, int sign) {
        try (ForwardResult pass = model.runWithCache(prompts, "blocks.1.hook_resid_pre")) {
            float[] resid = pass.cache().get("blocks.1.hook_resid_pre").toFloatArray();
            int length = prompts.sequenceLength();
            for (int row = 0; row < prompts.batchSize(); row++) {
                for (int i = 0; i < 64; i++) {
                    into[i] += sign * (double) resid[(row * length + length - 1) * 64 + i] / prompts.batchSize();
                }
            }
        }
    }

    /**
     * P(10) and P(12) at the last position with {@code coefficient * direction} added there, entering {@code layer},
     * by a plain hook.
     */
    private static double[] handSteeredProbabilities(float[] direction, double coefficient, int layer) {
        TokenBatch prompt = SAMPLE.prompt();
        double[] probabilities = softmax(lastLogits(prompt,
                steeredAt(prompt.sequenceLength() - 1, direction, coefficient, layer)));
        return new double[] {probabilities[10], probabilities[12]};
    }

    /** A plain hook adding {@code coefficient * direction} at position {@code last}, entering {@code layer}. */
    private static RunOptions steeredAt(int last, float[] direction, double coefficient, int layer) {
        float[] scaled = new float[64];
        for (int i = 0; i < 64; i++) {
            scaled[i] = (float) (coefficient * direction[i]);
        }
        return RunOptions.none().withHook("blocks." + layer + ".hook_resid_pre", (resid, context) -> {
            NDArray steered = resid.duplicate();
            NDIndex at = new NDIndex(":, " + last + ", :");
            steered.set(at, resid.get(at).add(context.scope().create(scaled, new Shape(64)).duplicate()));
            return steered;
        });
    }

    private static float[] lastLogits(TokenBatch prompt, RunOptions options) {
        try (ForwardResult pass = model.run(prompt, options)) {
            return pass.logits().get(0, prompt.sequenceLength() - 1).toFloatArray();
        }
    }

    private static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float logit : logits) {
            max = Math.max(max, logit);
        }
        double sum = 0;
        double[] exp = new double[logits.length];
        for (int i = 0; i < logits.length; i++) {
            exp[i] = Math.exp(logits[i] - max);
            sum += exp[i];
        }
        for (int i = 0; i < exp.length; i++) {
            exp[i] /= sum;
        }
        return exp;
    }
}
