package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;
import java.util.Arrays;

/** Ready-made hooks for the common interventions. */
public final class Interventions {
    private Interventions() {}

    /**
     * Zero-ablates the given heads at any hook point with a head axis ({@code hook_q/k/v/z/result},
     * {@code hook_attn_scores}, {@code hook_pattern}); the axis is found from the point's dims.
     */
    public static Hook zeroHeads(int... heads) {
        int[] chosen = heads.clone();
        return (activation, context) -> {
            HookPoint point = context.point();
            int axis = point.dims().indexOf(Dim.HEAD);
            if (axis < 0) {
                axis = point.dims().indexOf(Dim.KV_HEAD);
            }
            if (axis < 0) {
                throw new IllegalArgumentException("zeroHeads needs a hook point with a head axis, but "
                        + point.name() + " is " + point.dimsLabel());
            }
            long headCount = activation.getShape().get(axis);
            float[] keep = new float[(int) headCount];
            Arrays.fill(keep, 1f);
            for (int head : chosen) {
                if (head < 0 || head >= headCount) {
                    throw new IllegalArgumentException("head " + head + " does not exist at " + point.name()
                            + " (heads 0.." + (headCount - 1) + ")");
                }
                keep[head] = 0f;
            }
            long[] maskShape = new long[activation.getShape().dimension()];
            Arrays.fill(maskShape, 1);
            maskShape[axis] = headCount;
            NDArray mask = context.scope().create(keep, new Shape(maskShape));
            return activation.mul(mask);
        };
    }
}
