package dev.arrakis.tools.fourier;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The real Fourier basis over {@code n} inputs {@code 0 .. n - 1} (Nanda et al. 2023, for inputs that are numbers mod
 * n): the constant vector and, for each frequency {@code k = 1 .. n / 2}, the vectors {@code cos(2 pi k x / n)} and
 * {@code sin(2 pi k x / n)}, each scaled to unit length; for even {@code n} the frequency {@code n / 2} has only its
 * cosine (its sine is zero). The {@code n} vectors are orthonormal, so projecting a matrix whose rows are indexed by
 * the inputs (an embedding) onto them keeps its Frobenius norm, and the squared norms of the frequencies add up to the
 * matrix's.
 */
public final class FourierBasis {
    private final int size;

    private FourierBasis(int size) {
        this.size = size;
    }

    /** The basis over {@code size} inputs. */
    public static FourierBasis of(int size) {
        if (size < 2) {
            throw new ArrakisException("a Fourier basis needs at least 2 inputs, got " + size);
        }
        return new FourierBasis(size);
    }

    public int size() {
        return size;
    }

    /** Frequencies {@code 0 .. size / 2}: 0 is the constant. */
    public int frequencies() {
        return size / 2 + 1;
    }

    /** The unit vector {@code cos(2 pi k x / n)} over the inputs (the constant for {@code k = 0}). */
    public double[] cosine(int frequency) {
        requireFrequency(frequency);
        double[] vector = IntStream.range(0, size).mapToDouble(x -> Math.cos(angle(frequency, x))).toArray();
        return unit(vector);
    }

    /** The unit vector {@code sin(2 pi k x / n)}, or null for the frequencies without one (0, and n / 2 for even n). */
    public double[] sine(int frequency) {
        requireFrequency(frequency);
        if (frequency == 0 || 2 * frequency == size) {
            return null;
        }
        double[] vector = IntStream.range(0, size).mapToDouble(x -> Math.sin(angle(frequency, x))).toArray();
        return unit(vector);
    }

    /**
     * For each frequency, the norm of {@code rows} projected on its cosine and sine: {@code sqrt(|c . rows|^2 +
     * |s . rows|^2)}, where {@code c . rows} is the {@code columns}-long vector {@code sum_x c[x] rows[x]}.
     *
     * @param rows {@code [size][columns]}, one row per input
     */
    public FrequencyNorms norms(double[][] rows) {
        if (rows.length != size) {
            throw new ArrakisException("the Fourier basis is over " + size + " inputs but the matrix has "
                    + rows.length + " rows");
        }
        double[] norms = new double[frequencies()];
        double total = 0;
        for (double[] row : rows) {
            for (double value : row) {
                total += value * value;
            }
        }
        for (int frequency = 0; frequency < norms.length; frequency++) {
            double squared = squaredProjection(cosine(frequency), rows);
            double[] sine = sine(frequency);
            if (sine != null) {
                squared += squaredProjection(sine, rows);
            }
            norms[frequency] = Math.sqrt(squared);
        }
        return new FrequencyNorms(norms, Math.sqrt(total));
    }

    /**
     * As {@link #norms(double[][])} for the first {@code size} rows of a {@code [rows, columns]} array: an embedding
     * {@code W_E} whose extra rows (modular addition's {@code =}) are not numbers.
     */
    public FrequencyNorms norms(NDArray matrix) {
        long[] shape = matrix.getShape().getShape();
        if (shape.length != 2 || shape[0] < size) {
            throw new ArrakisException("need a matrix with at least " + size + " rows for a Fourier basis over "
                    + size + " inputs, got shape " + matrix.getShape());
        }
        int columns = (int) shape[1];
        float[] values = matrix.toFloatArray();
        double[][] rows = new double[size][columns];
        for (int row = 0; row < size; row++) {
            for (int column = 0; column < columns; column++) {
                rows[row][column] = values[row * columns + column];
            }
        }
        return norms(rows);
    }

    private static double squaredProjection(double[] direction, double[][] rows) {
        int columns = rows[0].length;
        double squared = 0;
        for (int column = 0; column < columns; column++) {
            double dot = 0;
            for (int x = 0; x < rows.length; x++) {
                dot += direction[x] * rows[x][column];
            }
            squared += dot * dot;
        }
        return squared;
    }

    private double angle(int frequency, int x) {
        return 2 * Math.PI * frequency * x / size;
    }

    private static double[] unit(double[] vector) {
        double norm = Math.sqrt(IntStream.range(0, vector.length).mapToDouble(i -> vector[i] * vector[i]).sum());
        return IntStream.range(0, vector.length).mapToDouble(i -> vector[i] / norm).toArray();
    }

    private void requireFrequency(int frequency) {
        if (frequency < 0 || frequency >= frequencies()) {
            throw new ArrakisException("frequency " + frequency + " is outside 0.." + (frequencies() - 1)
                    + " for " + size + " inputs");
        }
    }

    /**
     * A matrix's norm on each frequency.
     *
     * @param norms by frequency, {@code 0 .. size / 2}
     * @param total the matrix's Frobenius norm: the root of the sum of the squared {@code norms}
     */
    public record FrequencyNorms(double[] norms, double total) {

        public FrequencyNorms {
            norms = norms.clone();
        }

        @Override
        public double[] norms() {
            return norms.clone();
        }

        /** The frequency's share of the matrix's squared norm, its "energy": the shares of all frequencies sum to 1. */
        public double share(int frequency) {
            return norms[frequency] * norms[frequency] / (total * total);
        }

        /** The non-constant frequencies whose share is at least {@code minimumShare}, largest share first. */
        public List<Integer> strongest(double minimumShare) {
            List<Integer> frequencies = new ArrayList<>();
            for (int frequency = 1; frequency < norms.length; frequency++) {
                if (share(frequency) >= minimumShare) {
                    frequencies.add(frequency);
                }
            }
            frequencies.sort(Comparator.comparingDouble((Integer frequency) -> norms[frequency]).reversed());
            return frequencies;
        }
    }
}
