package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Attribution patching (Nanda 2023; Syed et al. 2023): the same grid {@link Patch} measures, estimated to first order
 * as {@code (clean - corrupted activation) · ∂metric/∂activation} from one clean pass, one corrupted pass and one
 * backward pass, however many points the grid has. Attributes and their rules are {@link Patch}'s.
 *
 * <p>The run method is the metric: it returns a scalar {@code NDArray} computed from the corrupted run's logits with
 * NDArray ops, e.g. {@code LogitMetric.logitDifference(correct, wrong).apply(logits.array())}; it sees the logits, the
 * inputs, the model and its config, not the cache. Each point of the sweep records the estimated change of that
 * metric (a {@code double}), so the run is stored and plotted as the matching {@code @Patch} run is.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
public @interface AttributionPatch {

    /** A full hook name, or a name inside each block of {@link #layer()} such as {@code hook_resid_pre}. */
    String hook();

    /** The layers; {@link Sweep#ALL} for one estimate per layer. */
    int[] layer() default {};

    /** Positions (negative counts from the end); {@link Sweep#ALL} for one estimate per position; all when empty. */
    int[] position() default {};

    /** Heads, for head-indexed hook points; all heads when empty. */
    int[] head() default {};

    /** The {@link Input} whose activations would be patched in. */
    String from() default "clean";

    /** The {@link Input} that is run, differentiated and would be patched. */
    String into() default "corrupted";

    /** Attributes whose listed values are swept, one estimate each, instead of patched together. */
    Axis[] sweep() default {};
}
