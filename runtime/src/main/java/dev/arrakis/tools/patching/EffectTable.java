package dev.arrakis.tools.patching;

import dev.arrakis.spec.HookPoint;

/**
 * The attribution-patching estimate at one hook point, broken down by position and head: {@code Σ (clean -
 * corrupted) · ∂metric/∂activation} summed over the batch and every other axis (d_model, d_head, keys). Patching a set
 * of positions and heads is estimated by the sum of their cells, because the estimate is linear.
 *
 * @param point the hook point
 * @param positions the sequence length (1 when the point has no position axis)
 * @param heads the head count (1 when the point has no head axis)
 * @param values {@code [position][head]}, row-major
 */
public record EffectTable(HookPoint point, int positions, int heads, float[] values) {

    /** One cell. */
    public float at(int position, int head) {
        return values[position * heads + head];
    }

    /**
     * The estimate of patching these positions and heads together.
     *
     * @param selectedPositions null for every position
     * @param selectedHeads null for every head
     */
    public double sum(int[] selectedPositions, int[] selectedHeads) {
        int[] ps = selectedPositions == null ? range(positions) : selectedPositions;
        int[] hs = selectedHeads == null ? range(heads) : selectedHeads;
        double sum = 0;
        for (int p : ps) {
            for (int h : hs) {
                sum += at(p, h);
            }
        }
        return sum;
    }

    private static int[] range(int n) {
        return java.util.stream.IntStream.range(0, n).toArray();
    }
}
