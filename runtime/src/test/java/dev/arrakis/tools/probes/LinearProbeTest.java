package dev.arrakis.tools.probes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The probes' fits against closed forms worked out by hand. */
class LinearProbeTest {

    /**
     * x = 1, 2, 3, 4 and y = 2, 3, 5, 6 with penalty 1: centred, sum xc^2 = 5 and sum xc yc = 7, so w = 7 / (5 + 1) and
     * b = mean(y) - w mean(x) = 4 - 7/6 * 2.5.
     */
    @Test
    void ridgeOnOneFeatureIsTheHandSolvedNormalEquation() {
        RidgeRegression fit = RidgeRegression.fit(new double[][] {{1}, {2}, {3}, {4}}, new double[] {2, 3, 5, 6}, 1);
        assertEquals(7.0 / 6, fit.weights()[0], 1e-12, "w: " + fit.weights()[0] + " vs 7/6");
        assertEquals(4 - 7.0 / 6 * 2.5, fit.bias(), 1e-12, "b: " + fit.bias() + " vs 4 - 7/6 * 2.5");
    }

    /**
     * Two features, penalty 2. Centred columns a = (-1, -1, 1, 1), c = (-1, 1, -1, 1) (x = (0,0), (0,2), (2,0), (2,2)
     * less their mean (1, 1)) and y = 1, 2, 4, 7 centred (-2.5, -1.5, 0.5, 3.5): Xc^T Xc = 4 I, Xc^T yc = (8, 4), so
     * (4 + 2) w = (8, 4), w = (4/3, 2/3) and b = 3.5 - 4/3 - 2/3 = 1.5.
     */
    @Test
    void ridgeOnTwoFeaturesIsTheHandSolvedNormalEquations() {
        RidgeRegression fit = RidgeRegression.fit(new double[][] {{0, 0}, {0, 2}, {2, 0}, {2, 2}},
                new double[] {1, 2, 4, 7}, 2);
        assertEquals(4.0 / 3, fit.weights()[0], 1e-12, "w0: " + Arrays.toString(fit.weights()));
        assertEquals(2.0 / 3, fit.weights()[1], 1e-12, "w1: " + Arrays.toString(fit.weights()));
        assertEquals(1.5, fit.bias(), 1e-12, "b: " + fit.bias());
    }

    /**
     * One binary feature: at x = 0 three of four labels are 1, at x = 1 one of four. Unpenalised, the maximum
     * likelihood reproduces those frequencies (label 1 is class 0 here, class 1 the reference): bias = logit(3/4) =
     * ln 3 and bias + w = logit(1/4) = -ln 3, so w = -2 ln 3.
     */
    @Test
    void logisticRegressionReachesTheKnownOptimum() {
        double[][] x = {{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}};
        int[] y = {0, 0, 0, 1, 0, 1, 1, 1};
        LogisticRegression fit = LogisticRegression.fit(x, y, 2, 0);
        assertEquals(Math.log(3), fit.bias()[0], 1e-8, "bias " + fit.bias()[0] + " vs ln 3");
        assertEquals(-2 * Math.log(3), fit.weights()[0][0], 1e-8, "w " + fit.weights()[0][0] + " vs -2 ln 3");
        assertEquals(0.0, fit.weights()[1][0], 0.0, "the reference class's weight");
        assertEquals(0.75, fit.probabilities(new double[] {0})[0], 1e-8, "p(class 0 | x = 0)");
    }

    /**
     * Three classes and a group indicator (with the intercept, a saturated model): unpenalised, each group's predicted class
     * probabilities are its label frequencies, group A (2, 1, 1 of 4) and group B (1, 1, 3 of 5).
     */
    @Test
    void multinomialRegressionReproducesEachGroupsFrequencies() {
        double[][] x = {{0}, {0}, {0}, {0}, {1}, {1}, {1}, {1}, {1}};
        int[] y = {0, 0, 1, 2, 0, 1, 2, 2, 2};
        LogisticRegression fit = LogisticRegression.fit(x, y, 3, 0);
        double[] groupA = fit.probabilities(new double[] {0});
        double[] groupB = fit.probabilities(new double[] {1});
        double[] expectedA = {0.5, 0.25, 0.25};
        double[] expectedB = {0.2, 0.2, 0.6};
        for (int k = 0; k < 3; k++) {
            assertEquals(expectedA[k], groupA[k], 1e-8, "group A class " + k + ": " + Arrays.toString(groupA));
            assertEquals(expectedB[k], groupB[k], 1e-8, "group B class " + k + ": " + Arrays.toString(groupB));
        }
    }

    /** Two Gaussian blobs far apart in 5 dimensions: a penalised probe separates every held-out point. */
    @Test
    void separableClassesAreAllCorrect() {
        Random random = new Random(4);
        double[][] x = new double[200][5];
        int[] y = new int[200];
        for (int i = 0; i < x.length; i++) {
            y[i] = i % 2;
            for (int j = 0; j < 5; j++) {
                x[i][j] = random.nextGaussian() + (y[i] == 0 ? 4 : -4);
            }
        }
        LogisticRegression fit = LogisticRegression.fit(Arrays.copyOf(x, 150), Arrays.copyOf(y, 150), 2, 1e-3);
        double[][] held = Arrays.copyOfRange(x, 150, 200);
        int[] heldLabels = Arrays.copyOfRange(y, 150, 200);
        assertEquals(1.0, fit.accuracy(held, heldLabels), 0.0, "held-out accuracy on separable blobs");
    }

    /** Each type keeps one label; the count of types per class is the real task's. */
    @Test
    void theControlTaskGivesEachTypeOneLabelWithTheSameClassSizes() {
        long[] types = {5, 5, 7, 9, 9, 9, 11, 13, 13, 7};
        int[] labels = {1, 1, 0, 0, 0, 1, 1, 0, 0, 0};
        int[] control = ControlTask.labels(types, labels, 3);
        Map<Long, Integer> byType = new HashMap<>();
        for (int i = 0; i < types.length; i++) {
            Integer before = byType.putIfAbsent(types[i], control[i]);
            assertTrue(before == null || before == control[i], "type " + types[i] + " has labels " + before + " and "
                    + control[i]);
        }
        // Own labels: 5 -> 1, 7 -> 0, 9 -> 0 (two of three), 11 -> 1, 13 -> 0: two types in class 1, three in class 0.
        long ones = byType.values().stream().filter(label -> label == 1).count();
        assertEquals(2, ones, "types labelled 1 in the control task: " + byType);
    }

    @Test
    void badInputsNameTheirFault() {
        ProbeException single = assertThrows(ProbeException.class,
                () -> LogisticRegression.fit(new double[][] {{1}}, new int[] {2}, 2, 0));
        assertTrue(single.getMessage().contains("label 2 of example 0 is not a class 0..1"), single.getMessage());
        ProbeException split = assertThrows(ProbeException.class, () -> new ProbeOptions(1.5, 0, 1));
        assertTrue(split.getMessage().contains("got 1.5"), split.getMessage());
    }
}
