package dev.arrakis.tools.neurons;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;

/**
 * The principal components of activations: the eigenvectors of their covariance, by decreasing variance. With them,
 * the projection of a vector onto the top {@code k} components and the error of reconstructing the data from them,
 * which shows how many directions the activations really use (fewer than the width: low-rank; about as many: spread,
 * or features in superposition).
 */
public final class PrincipalComponents {
    private final double[] mean;
    private final double[] variances;
    /** {@code [component][coordinate]}, unit length, each with its largest coordinate positive. */
    private final double[][] components;
    private final long count;

    private PrincipalComponents(double[] mean, double[] variances, double[][] components, long count) {
        this.mean = mean;
        this.variances = variances;
        this.components = components;
        this.count = count;
    }

    static PrincipalComponents of(ActivationCovariance covariance) {
        SymmetricEigen.Result eigen = SymmetricEigen.of(covariance.covariance());
        double[] variances = eigen.values().clone();
        for (int i = 0; i < variances.length; i++) {
            // a covariance has no negative eigenvalue; what rounding leaves below zero is zero
            variances[i] = Math.max(0, variances[i]);
        }
        return new PrincipalComponents(covariance.mean(), variances, eigen.vectors(), covariance.count());
    }

    public int width() {
        return mean.length;
    }

    public double[] mean() {
        return mean.clone();
    }

    /** The variance along each component, largest first (the covariance's eigenvalues). */
    public double[] variances() {
        return variances.clone();
    }

    /** Component {@code index} (0 explains most variance), a unit vector with its largest coordinate positive. */
    public double[] component(int index) {
        checkCount(index + 1, "component");
        return components[index].clone();
    }

    /** The share of the total variance each component explains. */
    public double[] explainedVarianceRatio() {
        double total = java.util.Arrays.stream(variances).sum();
        return java.util.Arrays.stream(variances).map(variance -> variance / total).toArray();
    }

    /**
     * For each component count {@code k} from 0 to the width, the mean squared error per vector of reconstructing the
     * data these components were fitted on from its projection onto the top {@code k}:
     * {@code (n - 1)/n · Σ_{i ≥ k} λ_i} (0 at {@code k = width}).
     */
    public double[] reconstructionError() {
        double[] error = new double[width() + 1];
        for (int k = width() - 1; k >= 0; k--) {
            error[k] = error[k + 1] + variances[k] * (count - 1) / count;
        }
        return error;
    }

    /** The coordinates of {@code vector} along the top {@code k} components: {@code (x - mean) · c_i}. */
    public double[] project(double[] vector, int k) {
        if (vector.length != width()) {
            throw new ArrakisException("the vector has " + vector.length + " coordinates, the components "
                    + width());
        }
        checkCount(k, "component count");
        double[] coordinates = new double[k];
        for (int component = 0; component < k; component++) {
            for (int i = 0; i < vector.length; i++) {
                coordinates[component] += (vector[i] - mean[i]) * components[component][i];
            }
        }
        return coordinates;
    }

    /** The vector rebuilt from its top {@code k} coordinates: {@code mean + Σ_{i<k} ((x - mean)·c_i) c_i}. */
    public double[] reconstruct(double[] vector, int k) {
        double[] coordinates = project(vector, k);
        double[] rebuilt = mean.clone();
        for (int component = 0; component < k; component++) {
            for (int i = 0; i < rebuilt.length; i++) {
                rebuilt[i] += coordinates[component] * components[component][i];
            }
        }
        return rebuilt;
    }

    /**
     * The top {@code k} coordinates of every vector of an activation {@code [..., width]}, as {@code [..., k]} f32
     * in {@code manager} (the caller's, so the result outlives the activation's pass).
     */
    public NDArray project(NDArray activation, int k, NDManager manager) {
        Shape shape = activation.getShape();
        if (shape.dimension() == 0 || shape.get(shape.dimension() - 1) != width()) {
            throw new ArrakisException("the activation " + shape + " does not end in the components' width " + width());
        }
        checkCount(k, "component count");
        double[] basis = new double[width() * k];
        for (int component = 0; component < k; component++) {
            for (int i = 0; i < width(); i++) {
                basis[i * k + component] = components[component][i];
            }
        }
        try (NDManager scope = manager.newSubManager()) {
            NDArray vectors = activation.toType(DataType.FLOAT64, true);
            vectors.attach(scope);
            NDArray coordinates = vectors.sub(scope.create(mean)).matMul(scope.create(basis, new Shape(width(), k)))
                    .toType(DataType.FLOAT32, false);
            coordinates.attach(manager);
            return coordinates;
        }
    }

    private void checkCount(int k, String what) {
        if (k < 0 || k > width()) {
            throw new ArrakisException(what + " " + k + " is outside 0.." + width());
        }
    }
}
