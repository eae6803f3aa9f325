package dev.arrakis.tools.neurons;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.List;

/**
 * How often and how strongly each unit of one hook point fires over a dataset streamed in batches: per unit, the
 * fraction of tokens where it exceeds a threshold (its activation frequency; 1 minus it is its sparsity), the mean
 * activation and the mean and maximum magnitude {@code |a|}. Memory is four numbers per unit, whatever the number of
 * tokens. Padding is not counted.
 *
 * <pre>{@code
 * NeuronActivity activity = NeuronActivity.over(model, "blocks.0.mlp.hook_post", batches, 0.0);
 * double[] frequency = activity.frequency();
 * }</pre>
 */
public final class NeuronActivity {
    private final int width;
    private final double threshold;
    private final long[] above;
    private final double[] sum;
    private final double[] sumMagnitude;
    private final double[] maxMagnitude;
    private long tokens;

    /** @param threshold a unit counts as active on a token where its activation is strictly above this */
    public NeuronActivity(int width, double threshold) {
        if (width < 1) {
            throw new ArrakisException("width must be at least 1, got " + width);
        }
        this.width = width;
        this.threshold = threshold;
        above = new long[width];
        sum = new double[width];
        sumMagnitude = new double[width];
        maxMagnitude = new double[width];
    }

    /** The hook to cache: {@code hook} itself, checked against the model. */
    public static List<String> requiredHooks(HookPoints points, String hook) {
        return DatasetActivations.requiredHooks(points, hook);
    }

    /** Streams {@code batches} through {@code model} and accumulates the activations at {@code hook}. */
    public static NeuronActivity over(HookedTransformer model, String hook, Iterable<TokenBatch> batches,
            double threshold) {
        NeuronActivity[] activity = new NeuronActivity[1];
        DatasetActivations.forEachBatch(model, batches, requiredHooks(model.hookPoints(), hook), (batch, cache) -> {
            NDArray activation = cache.get(hook);
            if (activity[0] == null) {
                activity[0] = new NeuronActivity(TokenActivations.checkedWidth(activation, batch), threshold);
            }
            activity[0].add(activation, batch);
        });
        if (activity[0] == null) {
            throw new ArrakisException("the dataset has no batches");
        }
        return activity[0];
    }

    /** Adds one batch's activation {@code [batch, pos, width]}. */
    public void add(NDArray activation, TokenBatch batch) {
        add(TokenActivations.of(activation, batch));
    }

    public void add(TokenActivations activations) {
        if (activations.width() != width) {
            throw new ArrakisException("the activation has width " + activations.width() + " but this accumulator "
                    + "counts " + width + " units");
        }
        activations.forEachToken((row, position, values, offset) -> {
            for (int unit = 0; unit < width; unit++) {
                float value = values[offset + unit];
                if (value > threshold) {
                    above[unit]++;
                }
                sum[unit] += value;
                double magnitude = Math.abs(value);
                sumMagnitude[unit] += magnitude;
                maxMagnitude[unit] = Math.max(maxMagnitude[unit], magnitude);
            }
            tokens++;
        });
    }

    /** The tokens counted so far. */
    public long tokens() {
        return tokens;
    }

    public double threshold() {
        return threshold;
    }

    /** Per unit, the fraction of tokens on which it is above the threshold. */
    public double[] frequency() {
        double[] frequency = new double[width];
        for (int unit = 0; unit < width; unit++) {
            frequency[unit] = (double) above[unit] / requireTokens();
        }
        return frequency;
    }

    /** Per unit, the mean activation. */
    public double[] mean() {
        return perToken(sum);
    }

    /** Per unit, the mean of {@code |a|}. */
    public double[] meanMagnitude() {
        return perToken(sumMagnitude);
    }

    /** Per unit, the largest {@code |a|} seen. */
    public double[] maxMagnitude() {
        requireTokens();
        return maxMagnitude.clone();
    }

    /** The units never above the threshold on any token, in order: dead for this dataset. */
    public int[] neverActive() {
        return java.util.stream.IntStream.range(0, width).filter(unit -> above[unit] == 0).toArray();
    }

    private double[] perToken(double[] totals) {
        long count = requireTokens();
        double[] means = new double[width];
        for (int unit = 0; unit < width; unit++) {
            means[unit] = totals[unit] / count;
        }
        return means;
    }

    private long requireTokens() {
        if (tokens == 0) {
            throw new IllegalStateException("no tokens added yet");
        }
        return tokens;
    }
}
