package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Render the run's result. A number per sweep point plots over the sweep's axes; an array or a list of numbers
 * plots as a line; a two-dimensional array as a heatmap; an attention pattern as one.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
public @interface Plot {

    PlotKind kind() default PlotKind.AUTO;

    /** The title; the run's name when empty. */
    String title() default "";
}
