package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Activation steering during the run: {@code coefficient * vector} is added to the residual stream at {@link #hook()}
 * of each layer of {@link #layer()}, at {@link #positions()} (every position when empty). The vector is the value of
 * the {@link Input} named by {@link #vector()}, a {@code SteeringVector} (e.g. from {@code SteeringVectors}); a vector
 * of several rows is added at the first positions instead (activation addition from a contrast pair).
 *
 * <p>{@code layer}, {@code positions}, {@code hook} and {@code coefficient} can be overridden from the command line
 * ({@code layer=0,1} sweeps the layers, {@code coefficient=2.5} replaces the coefficient, {@code coefficient=0,0.5,1}
 * sweeps it).
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
public @interface Steer {

    /** The layers; {@link Sweep#ALL} for one run per layer. */
    int[] layer();

    /** The {@link Input} whose {@code SteeringVector} is added. */
    String vector();

    /**
     * The factor of the vector; several ({@code coefficient = {0, 0.5, 1}}) sweep it, one point per value on a
     * {@code coefficient} axis, batched like a layer sweep.
     */
    double[] coefficient();

    /** {@code hook_resid_pre} (where Turner et al. and Rimsky et al. add), {@code hook_resid_mid} or {@code hook_resid_post}. */
    String hook() default "hook_resid_pre";

    /** Positions to steer (negative counts from the end); every position when empty. */
    int[] positions() default {};
}
