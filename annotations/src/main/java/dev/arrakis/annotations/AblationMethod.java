package dev.arrakis.annotations;

/** What an ablated activation is replaced with. */
public enum AblationMethod {
    /** Zeros. */
    ZERO,
    /**
     * Its mean over the batch, per position, taken from an unablated pass on the same input (so that an earlier
     * ablation in the same run does not shift the mean).
     */
    MEAN,
    /**
     * The same activation from another example of the batch (example i takes example i + 1, the last takes the
     * first), taken from an unablated pass on the same input.
     */
    RESAMPLE
}
