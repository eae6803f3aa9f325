package dev.arrakis.tools.patching;

import java.util.ArrayList;
import java.util.List;

/**
 * One grid of patching effects, estimated or measured: {@code [layer][position]}, {@code [layer][head]} or
 * {@code [layer][head][position]} as {@link PatchingGrid} says, flattened row-major.
 *
 * @param grid which grid
 * @param shape its extent on each axis
 * @param values row-major
 */
public record AttributionGrid(PatchingGrid grid, int[] shape, double[] values) {

    /** The axes' names, as run records name swept axes. */
    public List<String> axes() {
        List<String> axes = new ArrayList<>(List.of("layer"));
        if (grid.byHead()) {
            axes.add("head");
        }
        if (grid.byPosition()) {
            axes.add("position");
        }
        return axes;
    }

    /** The value at one cell, indices in {@link #axes()} order. */
    public double at(int... index) {
        int flat = 0;
        for (int axis = 0; axis < shape.length; axis++) {
            flat = flat * shape[axis] + index[axis];
        }
        return values[flat];
    }

    /** Pearson correlation of two grids of one shape, e.g. estimated against measured. */
    public static double correlation(double[] a, double[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("grids of " + a.length + " and " + b.length + " cells");
        }
        double meanA = 0;
        double meanB = 0;
        for (int i = 0; i < a.length; i++) {
            meanA += a[i] / a.length;
            meanB += b[i] / b.length;
        }
        double covariance = 0;
        double varianceA = 0;
        double varianceB = 0;
        for (int i = 0; i < a.length; i++) {
            covariance += (a[i] - meanA) * (b[i] - meanB);
            varianceA += (a[i] - meanA) * (a[i] - meanA);
            varianceB += (b[i] - meanB) * (b[i] - meanB);
        }
        return covariance / Math.sqrt(varianceA * varianceB);
    }
}
