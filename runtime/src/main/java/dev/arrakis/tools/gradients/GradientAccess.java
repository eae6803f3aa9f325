package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoint;
import java.util.List;

/**
 * The differentiated pass for tools built on it (attribution patching, the engine's estimated sweeps), which need
 * each hook point's activation and gradient while they are alive rather than a copied-out cache.
 */
public final class GradientAccess {
    private GradientAccess() {}

    /** Sees one hook point's activation and gradient; both are freed when the differentiated pass returns. */
    @FunctionalInterface
    public interface Sink {
        void accept(HookPoint point, NDArray activation, NDArray gradient);
    }

    /**
     * One forward pass with leaves at the named points and one backward pass of the metric; the sink sees each point,
     * latest first.
     *
     * @return the metric's value
     */
    public static double differentiate(HookedTransformer model, TokenBatch batch, RunOptions options,
            LogitMetric metric, List<String> hookNames, Sink sink) {
        return Gradients.differentiate(model, batch, options, metric, hookNames, sink::accept);
    }

    /** The metric on logits, checked to be one number, as a double. */
    public static double value(LogitMetric metric, NDArray logits) {
        return Gradients.evaluate(metric, logits).toType(DataType.FLOAT64, false).getDouble();
    }
}
