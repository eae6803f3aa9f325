package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Activation patching: run {@link #from()} (clean) and cache the activation at {@link #hook()}, then run
 * {@link #into()} (corrupted) with the clean activation written in, at each swept layer and position. The run
 * method sees the patched run's logits. All sweep points go through the model in one batched pass.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
public @interface Patch {

    /** A full hook name, or a name inside each block of {@link #layer()} such as {@code hook_resid_pre}. */
    String hook();

    /** The layers; {@link Sweep#ALL} for one run per layer. */
    int[] layer() default {};

    /** Positions to patch (negative counts from the end); {@link Sweep#ALL} for one run per position; all when empty. */
    int[] position() default {};

    /** Heads to patch, for head-indexed hook points; all heads when empty. */
    int[] head() default {};

    /** The {@link Input} whose activations are patched in. */
    String from() default "clean";

    /** The {@link Input} that is run and patched. */
    String into() default "corrupted";

    /** Attributes whose listed values are swept, one run each, instead of patched together. */
    Axis[] sweep() default {};
}
