package dev.arrakis.tools.tracing;

import dev.arrakis.model.HookedTransformer;

/**
 * Causal tracing configured by a run method's {@code @CausalTrace} parameter, on the loaded model: the run method
 * passes its {@link SubjectPrompts} input and returns (or reads) the map.
 *
 * @param model the loaded model
 * @param options the annotation's values
 */
public record CausalTracer(HookedTransformer model, TraceOptions options) {

    public CausalTraceMap trace(SubjectPrompts prompts) {
        return CausalTracing.trace(model, prompts, options);
    }
}
