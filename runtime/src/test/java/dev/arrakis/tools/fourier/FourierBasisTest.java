package dev.arrakis.tools.fourier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Frequency norms against sums worked by hand and against a complex DFT written out in the test. */
class FourierBasisTest {

    @Test
    void aMatrixMadeOfKnownWavesHasTheirNorms() {
        // column 0: 3 cos(2 pi x / 5); column 1: sin(4 pi x / 5) + 2. Over five points sum cos^2 = sum sin^2 = 5/2,
        // so the waves' norms are 3 sqrt(5/2) = 4.7434 and sqrt(5/2) = 1.5811, and the constant's 2 sqrt(5) = 4.4721
        double[][] rows = new double[5][2];
        for (int x = 0; x < 5; x++) {
            rows[x][0] = 3 * Math.cos(2 * Math.PI * x / 5);
            rows[x][1] = Math.sin(4 * Math.PI * x / 5) + 2;
        }
        FourierBasis.FrequencyNorms norms = FourierBasis.of(5).norms(rows);
        double[] expected = {2 * Math.sqrt(5), 3 * Math.sqrt(2.5), Math.sqrt(2.5)};
        double[] actual = norms.norms();
        for (int k = 0; k < expected.length; k++) {
            assertEquals(expected[k], actual[k], 1e-12, "frequency " + k + ": expected " + Arrays.toString(expected)
                    + ", got " + Arrays.toString(actual));
        }
        // squared norms 20 + 22.5 + 2.5 = 45: shares 4/9, 1/2 and 1/18
        assertEquals(Math.sqrt(45), norms.total(), 1e-12, "total norm " + norms.total());
        assertEquals(0.5, norms.share(1), 1e-12, "share of frequency 1: " + norms.share(1));
        assertEquals(1.0 / 18, norms.share(2), 1e-12, "share of frequency 2: " + norms.share(2));
        assertEquals(List.of(1, 2), norms.strongest(0.05), "non-constant frequencies with a share of 5% or more");
        assertEquals(List.of(1), norms.strongest(0.1), "non-constant frequencies with a share of 10% or more");
    }

    @Test
    void evenSizesHaveACosineOnlyTopFrequency() {
        FourierBasis basis = FourierBasis.of(4);
        assertNull(basis.sine(2), "sin(pi x) is zero at every integer x, so frequency 2 of 4 has no sine");
        // [1, -1, 1, -1] is 2 * the unit cosine of frequency 2: norm 2, and nothing else
        double[] norms = basis.norms(new double[][] {{1}, {-1}, {1}, {-1}}).norms();
        assertEquals(3, norms.length, "frequencies 0, 1, 2 of 4: " + Arrays.toString(norms));
        assertEquals(0, norms[0], 1e-12, "constant: " + Arrays.toString(norms));
        assertEquals(0, norms[1], 1e-12, "frequency 1: " + Arrays.toString(norms));
        assertEquals(2, norms[2], 1e-12, "frequency 2: " + Arrays.toString(norms));
    }

    /**
     * For a real signal x over n points and 0 < k < n / 2, the DFT X_k = sum_t x_t e^{-2 pi i k t / n} carries the
     * frequency's energy twice (at k and n - k): |cos part|^2 + |sin part|^2 = 2 |X_k|^2 / n.
     */
    @Test
    void normsEqualTheComplexDftOfEachColumn() {
        int n = 7;
        double[][] rows = new double[n][3];
        for (int x = 0; x < n; x++) {
            for (int column = 0; column < 3; column++) {
                rows[x][column] = ((x * 37 + column * 11) % 13) - 6.5 + 0.25 * x * column;
            }
        }
        double[] norms = FourierBasis.of(n).norms(rows).norms();
        for (int k = 0; k <= n / 2; k++) {
            double energy = 0;
            for (int column = 0; column < 3; column++) {
                double real = 0;
                double imaginary = 0;
                for (int t = 0; t < n; t++) {
                    real += rows[t][column] * Math.cos(2 * Math.PI * k * t / n);
                    imaginary -= rows[t][column] * Math.sin(2 * Math.PI * k * t / n);
                }
                double squaredMagnitude = real * real + imaginary * imaginary;
                energy += (k == 0 ? 1.0 : 2.0) * squaredMagnitude / n;
            }
            assertEquals(Math.sqrt(energy), norms[k], 1e-9, "frequency " + k + ": DFT gives " + Math.sqrt(energy)
                    + ", the basis " + norms[k]);
        }
    }

    @Test
    void aMatrixWithTheWrongRowCountIsNamed() {
        ArrakisException error = assertThrows(ArrakisException.class,
                () -> FourierBasis.of(5).norms(new double[4][2]));
        assertTrue(error.getMessage().contains("5 inputs") && error.getMessage().contains("4 rows"),
                error.getMessage());
    }
}
