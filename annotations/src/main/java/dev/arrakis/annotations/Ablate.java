package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Replace part of an activation during the run. Listed indices are ablated together, in one run;
 * {@link Sweep#ALL} or {@link #sweep()} make one run per index, and the method's results form a vector (one swept
 * axis) or a grid (two).
 *
 * <p>What is ablated: {@link #head()} ablates heads at {@code attn.hook_z} (or at the head-indexed {@link #hook()}
 * given); {@link #neuron()} ablates neurons at {@code mlp.hook_post} (or the neuron-indexed hook given); with
 * neither, the whole activation at {@link #hook()} is ablated.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
@Repeatable(Ablations.class)
public @interface Ablate {

    /** The layers; {@link Sweep#ALL} for one run per layer. Ignored for hook points outside the blocks. */
    int[] layer() default {};

    /** Heads to ablate (query heads; key/value heads for {@code hook_k}/{@code hook_v}). */
    int[] head() default {};

    /** MLP neurons to ablate. */
    int[] neuron() default {};

    /**
     * The hook point: a full name ({@code blocks.3.hook_mlp_out}) or a name inside each block of {@link #layer()}
     * ({@code hook_mlp_out}, {@code attn.hook_v}); defaults as described above.
     */
    String hook() default "";

    AblationMethod method() default AblationMethod.ZERO;

    /** Sequence positions to ablate at (negative counts from the end); all positions when empty. */
    int[] positions() default {};

    /** Attributes whose listed values are swept, one run each, instead of ablated together. */
    Axis[] sweep() default {};
}
