package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a run method's parameter to the activation at a hook point, read during the run (after any intervention
 * upstream of it). The parameter's type must hold that activation: {@code AttentionPattern} for
 * {@code hook_pattern}, {@code Residual} for {@code hook_resid_post}, or {@code NDArray} for any.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface Capture {

    /** The full hook name, e.g. {@code blocks.1.attn.hook_pattern} or a generated constant for it. */
    String value();
}
