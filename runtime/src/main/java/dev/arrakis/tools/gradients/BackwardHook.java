package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.HookPoint;

/**
 * Code run with the gradient of the metric with respect to the activation at a hook point, TransformerLens's backward
 * hook. The gradient has the activation's shape and is freed when the call that ran the hook returns: copy out what
 * is kept ({@code toFloatArray()}, or {@code duplicate()} attached to a manager of one's own).
 */
@FunctionalInterface
public interface BackwardHook {
    void apply(NDArray gradient, HookPoint point);
}
