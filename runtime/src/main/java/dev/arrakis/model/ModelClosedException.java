package dev.arrakis.model;

import dev.arrakis.ArrakisException;

/**
 * A call on a model that is closed or closing, or a close() the model cannot honour: the message names the model.
 */
public final class ModelClosedException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    ModelClosedException(String message) {
        super(message);
    }
}
