package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A method that provides data the runs see. It is called once per experiment run, before any model pass, and its
 * result is snapshotted with the run. It takes no parameters, or the loaded {@code HookedTransformer} (to
 * tokenize). Its result must be a {@code TokenBatch} or implement {@code ModelInput} when a run feeds it to the
 * model; otherwise it is only bound to parameters of its type.
 */
@Documented
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.CLASS)
public @interface Input {

    /** The input's name, used by {@link Run#input()} and {@link Patch#from()}; the method's name when empty. */
    String value() default "";
}
