package dev.arrakis.tools.neurons;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.List;

/**
 * The mean and covariance of the vectors at one hook point over a dataset streamed in batches: the first step of a
 * superposition analysis ({@link PrincipalComponents}). It keeps a sum and a sum of outer products, in float64, so
 * memory is {@code width²} numbers whatever the number of tokens (e.g. 4.7 MB for a 768-wide residual stream).
 *
 * <p>Sums are taken around the first batch's mean rather than zero: a residual stream's mean can be far larger than
 * its spread, and {@code Σxxᵀ - n·μμᵀ} around zero would cancel away the digits the covariance needs. The products
 * run through libtorch in float64; the arrays of each batch live in a scope closed before {@link #add} returns.
 */
public final class ActivationCovariance {
    private final int width;
    private double[] shift;
    private final double[] sum;
    private final double[] outer;
    private long count;

    public ActivationCovariance(int width) {
        if (width < 1) {
            throw new ArrakisException("width must be at least 1, got " + width);
        }
        this.width = width;
        sum = new double[width];
        outer = new double[width * width];
    }

    /** The hook to cache: {@code hook} itself, checked against the model. */
    public static List<String> requiredHooks(HookPoints points, String hook) {
        return DatasetActivations.requiredHooks(points, hook);
    }

    /** Streams {@code batches} through {@code model} and accumulates the vectors at {@code hook}. */
    public static ActivationCovariance over(HookedTransformer model, String hook, Iterable<TokenBatch> batches) {
        ActivationCovariance[] covariance = new ActivationCovariance[1];
        DatasetActivations.forEachBatch(model, batches, requiredHooks(model.hookPoints(), hook), (batch, cache) -> {
            NDArray activation = cache.get(hook);
            if (covariance[0] == null) {
                covariance[0] = new ActivationCovariance(TokenActivations.checkedWidth(activation, batch));
            }
            covariance[0].add(activation, batch);
        });
        if (covariance[0] == null) {
            throw new ArrakisException("the dataset has no batches");
        }
        return covariance[0];
    }

    /** Adds the real tokens of one batch's activation {@code [batch, pos, width]}. */
    public void add(NDArray activation, TokenBatch batch) {
        int activationWidth = TokenActivations.checkedWidth(activation, batch);
        checkWidth(activationWidth);
        accumulate(activation, (long) batch.batchSize() * batch.sequenceLength(),
                batch.hasPadding() ? batch.flatMask() : null);
    }

    /** Adds every row of {@code [rows, width]} vectors. */
    public void add(NDArray rows) {
        long[] shape = rows.getShape().getShape();
        if (shape.length != 2) {
            throw new ArrakisException("expected [rows, width] vectors, got " + rows.getShape());
        }
        checkWidth(Math.toIntExact(shape[1]));
        accumulate(rows, shape[0], null);
    }

    private void checkWidth(int activationWidth) {
        if (activationWidth != width) {
            throw new ArrakisException("the activation has width " + activationWidth + " but this covariance is "
                    + width + " wide");
        }
    }

    private void accumulate(NDArray activation, long rows, float[] mask) {
        try (NDManager scope = activation.getManager().newSubManager()) {
            NDArray vectors = activation.toType(DataType.FLOAT64, true);
            vectors.attach(scope);
            vectors = vectors.reshape(rows, width);
            NDArray weights = mask == null ? null : scope.create(mask, new Shape(rows, 1)).toType(DataType.FLOAT64,
                    false);
            long real = mask == null ? rows : countAttended(mask);
            if (real == 0) {
                return;
            }
            if (shift == null) {
                NDArray kept = weights == null ? vectors : vectors.mul(weights);
                shift = kept.sum(new int[] {0}).div(real).toDoubleArray();
            }
            NDArray centred = vectors.sub(scope.create(shift));
            if (weights != null) {
                centred = centred.mul(weights);
            }
            double[] batchSum = centred.sum(new int[] {0}).toDoubleArray();
            double[] batchOuter = centred.transpose().matMul(centred).toDoubleArray();
            for (int i = 0; i < width; i++) {
                sum[i] += batchSum[i];
            }
            for (int i = 0; i < outer.length; i++) {
                outer[i] += batchOuter[i];
            }
            count += real;
        }
    }

    private static long countAttended(float[] mask) {
        long attended = 0;
        for (float weight : mask) {
            attended += weight > 0 ? 1 : 0;
        }
        return attended;
    }

    public int width() {
        return width;
    }

    /** The vectors added so far. */
    public long count() {
        return count;
    }

    public double[] mean() {
        requireCount(1);
        double[] mean = new double[width];
        for (int i = 0; i < width; i++) {
            mean[i] = shift[i] + sum[i] / count;
        }
        return mean;
    }

    /** The sample covariance ({@code n - 1} in the denominator), {@code [width][width]}. */
    public double[][] covariance() {
        requireCount(2);
        double[][] covariance = new double[width][width];
        for (int i = 0; i < width; i++) {
            for (int j = 0; j < width; j++) {
                covariance[i][j] = (outer[i * width + j] - sum[i] * sum[j] / count) / (count - 1);
            }
        }
        return covariance;
    }

    /** The principal components of what was added so far. */
    public PrincipalComponents principalComponents() {
        return PrincipalComponents.of(this);
    }

    private void requireCount(long needed) {
        if (count < needed) {
            throw new IllegalStateException("a covariance needs at least " + needed + " vectors, " + count
                    + " added");
        }
    }
}
