package dev.arrakis.tools.neurons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The eigensolver against the definition: {@code A v = λ v}, orthonormal vectors, eigenvalues summing to the trace. */
class SymmetricEigenTest {

    @Test
    void twoByTwoHasTheTextbookEigenpairs() {
        // [[2, 1], [1, 2]]: 3 along (1, 1)/√2, 1 along (1, -1)/√2
        SymmetricEigen.Result eigen = SymmetricEigen.of(new double[][] {{2, 1}, {1, 2}});
        assertArrayEquals(new double[] {3, 1}, eigen.values(), 1e-12, "eigenvalues, largest first");
        double half = Math.sqrt(0.5);
        assertArrayEquals(new double[] {half, half}, eigen.vectors()[0], 1e-12, "first eigenvector");
        assertArrayEquals(new double[] {half, -half}, eigen.vectors()[1], 1e-12,
                "second eigenvector, its first (tied largest) coordinate positive");
    }

    @Test
    void randomSymmetricMatricesSatisfyTheDefinition() {
        Random random = new Random(13);
        for (int size : new int[] {1, 3, 17, 64}) {
            double[][] matrix = new double[size][size];
            double trace = 0;
            for (int i = 0; i < size; i++) {
                for (int j = 0; j <= i; j++) {
                    matrix[i][j] = matrix[j][i] = random.nextGaussian();
                }
                trace += matrix[i][i];
            }
            SymmetricEigen.Result eigen = SymmetricEigen.of(matrix);
            double sum = 0;
            for (int k = 0; k < size; k++) {
                double[] vector = eigen.vectors()[k];
                double lambda = eigen.values()[k];
                sum += lambda;
                if (k > 0) {
                    assertTrue(eigen.values()[k - 1] >= lambda, "descending at " + k + ": " + eigen.values()[k - 1]
                            + " then " + lambda);
                }
                for (int i = 0; i < size; i++) {
                    double product = 0;
                    for (int j = 0; j < size; j++) {
                        product += matrix[i][j] * vector[j];
                    }
                    assertEquals(lambda * vector[i], product, 1e-9, size + "x" + size + ": (A v)[" + i + "] for λ"
                            + k + " = " + lambda);
                }
                for (int other = 0; other <= k; other++) {
                    double dot = 0;
                    for (int i = 0; i < size; i++) {
                        dot += vector[i] * eigen.vectors()[other][i];
                    }
                    assertEquals(other == k ? 1 : 0, dot, 1e-9, size + "x" + size + ": v" + k + "·v" + other);
                }
            }
            assertEquals(trace, sum, 1e-9, size + "x" + size + ": Σλ against the trace");
        }
    }
}
