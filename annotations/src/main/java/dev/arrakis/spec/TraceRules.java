package dev.arrakis.spec;

import dev.arrakis.annotations.Restore;
import java.util.Optional;

/**
 * What causal tracing's values must satisfy, shared by the annotation processor (on {@code @CausalTrace}'s values)
 * and the runtime (on values given in code), so that a mistake reads the same wherever it is caught.
 */
public final class TraceRules {
    private TraceRules() {}

    /**
     * The window's problem, if any: at least 1, no wider than the model, and 1 for the residual stream, which ROME
     * restores at one layer.
     *
     * @param layers the model's layers, or a negative number when the model is not known yet
     */
    public static Optional<Problem> window(Restore restore, int window, int layers) {
        if (window < 1) {
            return Optional.of(Problem.of(Message.TRACE_WINDOW, window, "must be at least 1 layer"));
        }
        if (restore == Restore.RESIDUAL && window != 1) {
            return Optional.of(Problem.of(Message.TRACE_WINDOW, window, "applies to MLP and ATTENTION restores;"
                    + " the residual stream is restored at one layer (window = 1)"));
        }
        if (layers >= 0 && window > layers) {
            return Optional.of(Problem.of(Message.TRACE_WINDOW, window, "is wider than the model's " + layers
                    + " layers"));
        }
        return Optional.empty();
    }

    public static Optional<Problem> samples(int samples) {
        return samples < 1 ? Optional.of(Problem.of(Message.TRACE_SAMPLES, samples)) : Optional.empty();
    }

    public static Optional<Problem> noise(double noise) {
        return noise > 0 && !Double.isInfinite(noise) ? Optional.empty()
                : Optional.of(Problem.of(Message.TRACE_NOISE, noise));
    }
}
