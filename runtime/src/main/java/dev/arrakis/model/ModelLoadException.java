package dev.arrakis.model;

import dev.arrakis.ArrakisException;

/** A checkpoint that cannot be turned into a model: bad config, missing or mis-shaped weights, unknown family. */
public final class ModelLoadException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}
