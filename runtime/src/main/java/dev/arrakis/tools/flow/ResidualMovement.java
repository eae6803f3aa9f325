package dev.arrakis.tools.flow;

import ai.djl.ndarray.NDArray;
import dev.arrakis.tools.residual.ResidualStack;
import java.util.List;

/**
 * How much the residual stream moves from one point to the next (the seed's "residual decomposition and movement"),
 * from an accumulated stack ({@code Breakdown.ACCUMULATED}: {@code 0_pre, 1_pre, .., final_post}): the norm of the
 * stream at each point, the norm of each step {@code ‖r_{i+1} − r_i‖} (what block i added) and the cosine between
 * consecutive points, each averaged over the stack's examples and positions.
 *
 * @param labels the stack's labels
 * @param norms {@code ‖r_i‖}, one per point
 * @param stepNorms {@code ‖r_{i+1} − r_i‖}, one per step (one fewer than the points)
 * @param cosines {@code cos(r_i, r_{i+1})}, one per step
 */
public record ResidualMovement(List<String> labels, double[] norms, double[] stepNorms, double[] cosines) {

    public ResidualMovement {
        labels = List.copyOf(labels);
        norms = norms.clone();
        stepNorms = stepNorms.clone();
        cosines = cosines.clone();
    }

    /** The movement along an accumulated stack. */
    public static ResidualMovement of(ResidualStack accumulated) {
        NDArray components = accumulated.array();
        long[] shape = components.getShape().getShape();
        int points = (int) shape[0];
        int vectors = (int) (shape[1] * shape[2]);
        int dModel = (int) shape[3];
        float[] flat = components.toFloatArray();
        double[] norms = new double[points];
        double[] stepNorms = new double[Math.max(0, points - 1)];
        double[] cosines = new double[Math.max(0, points - 1)];
        for (int v = 0; v < vectors; v++) {
            for (int point = 0; point < points; point++) {
                int at = (point * vectors + v) * dModel;
                norms[point] += Math.sqrt(dot(flat, at, at, dModel)) / vectors;
                if (point + 1 < points) {
                    int next = at + vectors * dModel;
                    double step = dot(flat, at, at, dModel) - 2 * dot(flat, at, next, dModel)
                            + dot(flat, next, next, dModel);
                    stepNorms[point] += Math.sqrt(Math.max(0, step)) / vectors;
                    cosines[point] += dot(flat, at, next, dModel)
                            / Math.sqrt(dot(flat, at, at, dModel) * dot(flat, next, next, dModel)) / vectors;
                }
            }
        }
        return new ResidualMovement(accumulated.labels(), norms, stepNorms, cosines);
    }

    private static double dot(float[] flat, int a, int b, int length) {
        double sum = 0;
        for (int i = 0; i < length; i++) {
            sum += (double) flat[a + i] * flat[b + i];
        }
        return sum;
    }

    @Override
    public double[] norms() {
        return norms.clone();
    }

    @Override
    public double[] stepNorms() {
        return stepNorms.clone();
    }

    @Override
    public double[] cosines() {
        return cosines.clone();
    }
}
