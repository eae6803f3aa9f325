package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a run method that has no intervention (it only reads the model), or names a run method's input or name.
 * Methods with {@link Ablate}, {@link Patch} or {@link Plot} are run methods without it.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
public @interface Run {

    /** The run's name on the command line and in the run store; the method's name when empty. */
    String name() default "";

    /** The {@link Input} the model runs on; may be left empty when the experiment has exactly one. */
    String input() default "";
}
