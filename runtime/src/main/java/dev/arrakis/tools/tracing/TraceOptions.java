package dev.arrakis.tools.tracing;

import dev.arrakis.annotations.Restore;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.TraceRules;
import java.util.List;
import java.util.Optional;

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
        for (Optional<Problem> problem : List.of(TraceRules.window(restore, window, -1),
                TraceRules.samples(samples), TraceRules.noise(noise))) {
            if (problem.isPresent()) {
                throw new TracingException(problem.get().text());
            }
        }
    }

    /** ROME's defaults at our scale: the residual stream, 10 samples of 3-sigma noise, seed 1. */
    public static TraceOptions residual() {
        return new TraceOptions(Restore.RESIDUAL, 1, 10, 3.0, 1);
    }
}
