package dev.arrakis.tools.neurons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.NativeResources;
import dev.arrakis.model.TokenBatch;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;

/** Activity, polysemanticity, covariance and PCA on activations made by hand, padding included. */
class NeuronToolsTest {
    /** Stands in padded slots: counted anywhere, it would dominate every statistic. */
    private static final float PAD_VALUE = 1000;

    @Test
    void activityCountsRealTokensAboveTheThreshold() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // row 0: three real tokens; row 1: one pad then two real tokens
            TokenBatch batch = TokenBatch.leftPadded(List.of(new long[] {1, 2, 3}, new long[] {4, 5}), 0);
            float[][] unit0 = {{0.5f, -1, 2}, {PAD_VALUE, 0, 3}};
            float[][] unit1 = {{0, 0, 0}, {PAD_VALUE, -4, 0}};
            NeuronActivity activity = new NeuronActivity(2, 0.0);
            activity.add(activation(manager, unit0, unit1), batch);

            assertEquals(5, activity.tokens(), "tokens counted (the pad is not)");
            // unit 0 is above 0 on 0.5, 2 and 3; unit 1 never (0 is not above 0)
            assertArrayEquals(new double[] {3 / 5.0, 0}, activity.frequency(), 1e-12, "frequency");
            assertArrayEquals(new double[] {4.5 / 5, -4 / 5.0}, activity.mean(), 1e-12, "mean");
            assertArrayEquals(new double[] {6.5 / 5, 4 / 5.0}, activity.meanMagnitude(), 1e-12, "mean |a|");
            assertArrayEquals(new double[] {3, 4}, activity.maxMagnitude(), 1e-12, "max |a|");
            assertArrayEquals(new int[] {1}, activity.neverActive(), "units never above 0");
        }
    }

    @Test
    void polysemanticityIsTheEffectiveNumberOfTokenClasses() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(new long[] {5, 5, 6, 7});
            // unit 0 puts 1 + 1 on token 5 and 2 on token 6: half and half; unit 1 fires on token 5 only;
            // unit 2 never fires
            float[][] unit0 = {{1, 1, 2, 0}};
            float[][] unit1 = {{3, 0, 0, -1}};
            float[][] unit2 = {{0, -1, 0, 0}};
            NDArray activation = activation(manager, unit0, unit1, unit2);
            Polysemanticity byToken = new Polysemanticity(new int[] {0, 1, 2}, 0.0, LongUnaryOperator.identity());
            byToken.add(activation, batch);
            assertArrayEquals(new double[] {2, 1, Double.NaN}, byToken.effectiveClasses(), 1e-12,
                    "exp(entropy): " + Arrays.toString(byToken.entropy()));
            assertArrayEquals(new int[] {2, 1, 0}, byToken.distinctClasses(), "classes each unit fired on");

            // one class for tokens 6 and 7, another for 5: unit 0 still splits its mass evenly
            Polysemanticity byClass = new Polysemanticity(new int[] {0}, 0.5, token -> token == 5 ? 0 : 1);
            byClass.add(activation, batch);
            // above 0.5: excess 0.5 + 0.5 on class 0, 1.5 on class 1 -> p = 0.4, 0.6
            double entropy = -(0.4 * Math.log(0.4) + 0.6 * Math.log(0.6));
            assertEquals(entropy, byClass.entropy()[0], 1e-12, "entropy with threshold 0.5 and classes");
            ArrakisException missing = assertThrows(ArrakisException.class,
                    () -> new Polysemanticity(new int[] {3}, 0, LongUnaryOperator.identity()).add(activation, batch));
            assertEquals("unit 3 does not exist: the activation has units 0..2", missing.getMessage());
        }
    }

    /**
     * Four points around (10, 20): ±3 along (1, 1)/√2 and ±1 along (1, -1)/√2. Variances 18/3 = 6 and 2/3 along those
     * axes, so the covariance is [[10/3, 8/3], [8/3, 10/3]], streamed as two batches with a pad between.
     */
    @Test
    void covarianceAndComponentsOfAKnownCloud() {
        double s = Math.sqrt(0.5);
        double[][] points = {
            {10 + 3 * s, 20 + 3 * s}, {10 - 3 * s, 20 - 3 * s}, {10 + s, 20 - s}, {10 - s, 20 + s},
        };
        try (NDManager manager = NDManager.newBaseManager()) {
            ActivationCovariance covariance = new ActivationCovariance(2);
            TokenBatch first = TokenBatch.leftPadded(List.of(new long[] {1, 1}, new long[] {1}), 0);
            covariance.add(manager.create(new float[] {
                (float) points[0][0], (float) points[0][1], (float) points[1][0], (float) points[1][1],
                PAD_VALUE, PAD_VALUE, (float) points[2][0], (float) points[2][1]}, new Shape(2, 2, 2)), first);
            covariance.add(manager.create(new float[] {(float) points[3][0], (float) points[3][1]}, new Shape(1, 2)));

            assertEquals(4, covariance.count(), "vectors counted");
            assertArrayEquals(new double[] {10, 20}, covariance.mean(), 1e-5, "mean");
            double[][] expected = {{10 / 3.0, 8 / 3.0}, {8 / 3.0, 10 / 3.0}};
            for (int i = 0; i < 2; i++) {
                assertArrayEquals(expected[i], covariance.covariance()[i], 1e-5,
                        "covariance row " + i + ": " + Arrays.toString(covariance.covariance()[i]));
            }
            PrincipalComponents pca = covariance.principalComponents();
            assertArrayEquals(new double[] {6, 2 / 3.0}, pca.variances(), 1e-5, "variances");
            assertArrayEquals(new double[] {s, s}, pca.component(0), 1e-5, "first component");
            assertArrayEquals(new double[] {s, -s}, pca.component(1), 1e-5, "second component");
            assertArrayEquals(new double[] {0.9, 0.1}, pca.explainedVarianceRatio(), 1e-5, "explained");
            // mean squared distance from the mean: (9 + 9 + 1 + 1) / 4 with no component, (1 + 1) / 4 with one
            assertArrayEquals(new double[] {5, 0.5, 0}, pca.reconstructionError(), 1e-5, "reconstruction error");
            assertArrayEquals(new double[] {3, 0}, pca.project(points[0], 2), 1e-5, "coordinates of point 0");
            assertArrayEquals(new double[] {10 + 3 * s, 20 + 3 * s}, pca.reconstruct(points[0], 1), 1e-5,
                    "point 0 from one component");
            NDArray point = manager.create(new float[] {(float) points[2][0], (float) points[2][1]}, new Shape(1, 2));
            int arrays = NativeResources.attachedCount(manager);
            NDArray projected = pca.project(point, 2, manager);
            assertArrayEquals(new float[] {0, 1}, projected.toFloatArray(), 1e-5f, "point 2 projected natively");
            assertEquals(arrays + 1, NativeResources.attachedCount(manager),
                    "arrays on the caller's manager: the projection only");
        }
    }

    private static NDArray activation(NDManager manager, float[][]... units) {
        int rows = units[0].length;
        int positions = units[0][0].length;
        float[] values = new float[rows * positions * units.length];
        for (int row = 0; row < rows; row++) {
            for (int position = 0; position < positions; position++) {
                for (int unit = 0; unit < units.length; unit++) {
                    values[(row * positions + position) * units.length + unit] = units[unit][row][position];
                }
            }
        }
        return manager.create(values, new Shape(rows, positions, units.length));
    }
}
