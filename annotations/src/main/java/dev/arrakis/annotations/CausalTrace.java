package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code CausalTracer} parameter to causal tracing (Meng et al. 2022, ROME's {@code causal_trace}) configured
 * by these values: the run method hands it a {@code SubjectPrompts} input (the prompts, their subject positions and
 * answers) and gets the answer's probability with the clean state restored at each layer and position. Every value is
 * checked at build time against the model: the window must fit its layers, the residual stream is restored at one
 * layer, samples and noise must be positive.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface CausalTrace {

    /** What is restored from the clean run. */
    Restore restore() default Restore.RESIDUAL;

    /**
     * How many layers an {@link Restore#MLP} or {@link Restore#ATTENTION} restore spans, centred on the traced layer
     * as in ROME ({@code max(0, l - window/2) .. min(layers, l + ceil(window/2)) - 1}). ROME uses 10 of GPT-2 XL's 48
     * layers; 1 suits our two-layer models. {@link Restore#RESIDUAL} takes 1.
     */
    int window() default 1;

    /** Noise samples averaged per prompt (ROME: 10). */
    int samples() default 10;

    /** The noise's standard deviation in units of the token embeddings' standard deviation (ROME: 3). */
    double noise() default 3.0;

    /** Seeds the noise: the same seed gives the same numbers. */
    long seed() default 1;
}
