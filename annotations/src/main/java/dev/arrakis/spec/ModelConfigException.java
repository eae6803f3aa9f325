package dev.arrakis.spec;

import dev.arrakis.ArrakisException;

/** A model's {@code config.json} is missing a key, holds a value of the wrong type, or names an unknown model. */
public final class ModelConfigException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public ModelConfigException(String message) {
        super(message);
    }
}
