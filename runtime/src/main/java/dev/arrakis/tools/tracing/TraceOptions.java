package dev.arrakis.tools.tracing;

import dev.arrakis.annotations.Restore;

/**
 * How causal tracing corrupts and restores; the values {@code @CausalTrace} carries.
 *
 * @param restore what is put back from the clean run
 * @param window how many layers an MLP or attention restore spans, centred on the traced layer as in ROME; 1 for the
 *     residual stream
 * @param samples noise samples averaged per prompt
 * @param noise the noise's standard deviation in units of the token embeddings' standard deviation
 * @param seed seeds the noise
 */
public record TraceOptions(Restore restore, int window, int samples, double noise, long seed) {

    public TraceOptions {
        if (restore == null) {
            throw new TracingException("causal tracing needs a restore kind (RESIDUAL, MLP or ATTENTION)");
        }
        if (window < 1) {
            throw new TracingException("causal tracing window must be at least 1 layer, got " + window);
        }
        if (restore == Restore.RESIDUAL && window != 1) {
            throw new TracingException("causal tracing restores the residual stream at one layer; window " + window
                    + " applies to MLP and ATTENTION restores only");
        }
        if (samples < 1) {
            throw new TracingException("causal tracing needs at least 1 noise sample, got " + samples);
        }
        if (!(noise > 0) || Double.isInfinite(noise)) {
            throw new TracingException("causal tracing noise must be a positive multiple of the embedding standard"
                    + " deviation, got " + noise);
        }
    }

    /** ROME's defaults at our scale: the residual stream, 10 samples of 3-sigma noise, seed 1. */
    public static TraceOptions residual() {
        return new TraceOptions(Restore.RESIDUAL, 1, 10, 3.0, 1);
    }
}
