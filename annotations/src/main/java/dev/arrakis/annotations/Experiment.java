package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A class of experiments on one model. Its run methods ({@link Run}, {@link Ablate}, {@link Patch} or {@link Plot})
 * are checked against the model's shape when the class compiles, and a runner is generated for it.
 *
 * <p>Exactly one of {@link #model()} and {@link #config()} names the model.
 */
@Documented
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.CLASS)
public @interface Experiment {

    /** A model from the built-in catalogue, e.g. {@code "gpt2"} or {@code "pythia-70m"}. */
    String model() default "";

    /**
     * A {@code config.json} (HF layout), relative to the project: the processor looks for it beside the source file
     * and in each directory above it (or under the {@code arrakis.projectDir} processor option), and the runtime
     * loads the checkpoint from the directory that holds it.
     */
    String config() default "";

    /** The name the run store and the command line use; the class's simple name when empty. */
    String name() default "";
}
