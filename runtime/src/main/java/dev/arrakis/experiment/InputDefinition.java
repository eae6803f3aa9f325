package dev.arrakis.experiment;

import dev.arrakis.model.HookedTransformer;

/**
 * An {@code @Input} method.
 *
 * @param name the input's name
 * @param type the provider's declared return type (its canonical name), for the argument snapshot
 * @param provider calls the method
 */
public record InputDefinition(String name, String type, Provider provider) {

    /** Calls the {@code @Input} method on the experiment instance. */
    @FunctionalInterface
    public interface Provider {
        Object provide(Object experiment, HookedTransformer model) throws Exception;
    }
}
