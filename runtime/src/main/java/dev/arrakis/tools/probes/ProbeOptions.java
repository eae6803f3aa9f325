package dev.arrakis.tools.probes;

/**
 * How probes are fitted and scored.
 *
 * @param heldOut the share of examples kept out of fitting and scored (Hewitt and Liang score on held-out data)
 * @param l2 the weights' penalty (logistic: {@code (l2/2)||W||^2} on the mean loss; ridge: {@code l2||w||^2} on the
 *     summed squares)
 * @param seed seeds the split and the control task's labels
 */
public record ProbeOptions(double heldOut, double l2, long seed) {

    public ProbeOptions {
        if (!(heldOut > 0 && heldOut < 1)) {
            throw new ProbeException("the held-out share must be between 0 and 1 (exclusive), got " + heldOut);
        }
        if (!(l2 >= 0) || Double.isInfinite(l2)) {
            throw new ProbeException("the probe penalty l2 must be 0 or more, got " + l2);
        }
    }

    /** A quarter held out, a light penalty, seed 1. */
    public static ProbeOptions defaults() {
        return new ProbeOptions(0.25, 1e-3, 1);
    }
}
