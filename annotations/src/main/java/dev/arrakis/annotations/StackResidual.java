package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code ResidualStack} parameter to the residual stream of the point's pass, cut as {@link #value()} says,
 * up to the input of block {@link #layer()} (or of its MLP), or to the end of the model. The processor caches exactly
 * the hook points the stack is read from and rejects a layer the model does not have, a {@code resid_mid} a parallel
 * block lacks, and a breakdown by head where post-norms make head outputs not add up.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface StackResidual {
    /** {@link #layer()}'s default: the end of the model, what the final norm reads. */
    int END = -1;

    Breakdown value() default Breakdown.ACCUMULATED;

    /** The block whose input the stack ends at ({@code 0 .. layers}), or {@link #END}. */
    int layer() default END;

    /** End at the input of {@link #layer()}'s MLP ({@code hook_resid_mid}) rather than of its attention. */
    boolean mlpInput() default false;
}
