package dev.arrakis.tools.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.gradients.GradientAccess;
import dev.arrakis.tools.gradients.LogitMetric;

/**
 * Activation patching written out, one forward pass per cell: the corrupted run with the clean activation written in
 * at one layer and one position and/or head, scored by the metric, minus the corrupted run's metric. Also the same
 * patch scaled by {@code epsilon}, whose derivative at 0 is what attribution patching estimates.
 */
final class ActivationPatchingByHand implements AutoCloseable {
    private final HookedTransformer model;
    private final TokenBatch corrupted;
    private final LogitMetric metric;
    private final ForwardResult cleanRun;

    ActivationPatchingByHand(HookedTransformer model, TokenBatch clean, TokenBatch corrupted, LogitMetric metric) {
        this.model = model;
        this.corrupted = corrupted;
        this.metric = metric;
        this.cleanRun = model.run(clean, RunOptions.none().withCacheAll());
    }

    @Override
    public void close() {
        cleanRun.close();
    }

    double corruptedMetric() {
        try (ForwardResult run = model.forward(corrupted)) {
            return GradientAccess.value(metric, run.logits());
        }
    }

    /**
     * The metric with {@code corrupted + epsilon * (clean - corrupted)} at the cell, minus nothing.
     *
     * @param position -1 for every position
     * @param head -1 for every head (or a point without heads)
     */
    double patchedMetric(String hook, int position, int head, double epsilon) {
        {
            NDArray cleanActivation = cleanRun.cache().get(hook);
            long[] shape = cleanActivation.getShape().getShape();
            float[] weights = new float[(int) cleanActivation.getShape().size()];
            long perPosition = weights.length / shape[0] / shape[1];
            for (int i = 0; i < weights.length; i++) {
                long positionOf = i / perPosition % shape[1];
                long headOf = shape.length == 4 ? i / shape[3] % shape[2] : 0;
                boolean selected = (position < 0 || positionOf == position) && (head < 0 || headOf == head);
                weights[i] = selected ? (float) epsilon : 0f;
            }
            RunOptions patch = RunOptions.none().withHook(hook, (activation, context) -> {
                NDArray mask = context.scope().create(weights, new Shape(shape));
                NDArray difference = mask.mul(cleanActivation).sub(mask.mul(activation));
                return activation.add(difference);
            });
            try (ForwardResult run = model.run(corrupted, patch)) {
                return GradientAccess.value(metric, run.logits());
            }
        }
    }
}
