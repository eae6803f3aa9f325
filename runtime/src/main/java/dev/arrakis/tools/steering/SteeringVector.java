package dev.arrakis.tools.steering;

import java.util.Arrays;

/**
 * A direction in the residual stream to add during a forward pass. One row is added at every steered position (a
 * mean-difference vector, Rimsky et al. 2023); several rows are added at the first positions of the sequence, row
 * {@code i} at position {@code i} (an activation-addition vector from a contrast pair, Turner et al. 2023, whose
 * prompts are aligned at their first token).
 *
 * @param rows {@code [rows][d_model]}; copied, never shared
 */
public record SteeringVector(float[][] rows) {

    public SteeringVector {
        if (rows.length == 0 || rows[0].length == 0) {
            throw new SteeringException("a steering vector needs at least one row of d_model values");
        }
        float[][] copy = new float[rows.length][];
        for (int i = 0; i < rows.length; i++) {
            if (rows[i].length != rows[0].length) {
                throw new SteeringException("row " + i + " of the steering vector has " + rows[i].length
                        + " values where row 0 has " + rows[0].length);
            }
            copy[i] = rows[i].clone();
        }
        rows = copy;
    }

    /** One direction added at every steered position. */
    public static SteeringVector of(float... direction) {
        return new SteeringVector(new float[][] {direction});
    }

    public int width() {
        return rows[0].length;
    }

    /** Whether the rows belong to the first positions (activation addition) rather than to every position. */
    public boolean positional() {
        return rows.length > 1;
    }

    /** Row {@code i}, a copy. */
    public float[] row(int i) {
        return rows[i].clone();
    }

    /** The Euclidean norm of each row, to compare a coefficient with the residual stream's scale. */
    public double[] norms() {
        double[] norms = new double[rows.length];
        for (int i = 0; i < rows.length; i++) {
            double sum = 0;
            for (float value : rows[i]) {
                sum += (double) value * value;
            }
            norms[i] = Math.sqrt(sum);
        }
        return norms;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SteeringVector that && Arrays.deepEquals(rows, that.rows);
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(rows);
    }

    @Override
    public String toString() {
        return "SteeringVector[" + rows.length + " x " + width() + ", norms " + Arrays.toString(norms()) + "]";
    }
}
