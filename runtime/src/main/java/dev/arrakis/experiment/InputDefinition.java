package dev.arrakis.experiment;

import dev.arrakis.model.HookedTransformer;
import java.util.Objects;

/**
 * An {@code @Input} method. Generated runners keep one constant per input and bind a parameter with
 * {@link RunContext#input(InputDefinition)}, so the value reaches the run method with the type the input method
 * declares, without a cast.
 *
 * @param name the input's name
 * @param type the provider's declared return type (its canonical name), for the argument snapshot
 * @param provider calls the method
 * @param <E> the experiment class
 * @param <T> what the method returns (boxed for a primitive)
 */
public record InputDefinition<E, T>(String name, String type, Provider<E, T> provider) {

    public InputDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(provider, "provider");
    }

    /** Calls the {@code @Input} method on the experiment instance. */
    @FunctionalInterface
    public interface Provider<E, T> {
        T provide(E experiment, HookedTransformer model) throws Exception;
    }
}
