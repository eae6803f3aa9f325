package dev.arrakis.experiment;

import dev.arrakis.spec.ModelConfig;
import java.util.List;

/**
 * One {@code @Experiment} class as the runtime sees it. The annotation processor generates an implementation per
 * class (named {@code <Class>_Experiment}, registered as a {@link java.util.ServiceLoader} service) that returns
 * constants and calls the experiment's methods directly, so running it needs no reflection and no casts.
 *
 * @param <E> the experiment class
 */
public interface ExperimentDefinition<E> {

    /** The experiment's name, unique on the classpath: {@code @Experiment(name)} or the class's simple name. */
    String name();

    /** The experiment class's binary name. */
    String experimentClass();

    ModelSource model();

    /** The shape the definition was checked against at build time; the loaded model must have it. */
    ModelConfig shape();

    /**
     * The version of the definition: a SHA-256 (hex) over the class's annotations and method bodies as the compiler
     * parsed them, so it changes when the definition changes and not when only whitespace or comments do.
     */
    String fingerprint();

    /** The class's source text as written, kept with every run so a run says exactly what ran. */
    String source();

    List<InputDefinition<E, ?>> inputs();

    List<RunDefinition<E>> runs();

    /** A fresh instance of the experiment class (its no-argument constructor). */
    E newInstance();
}
