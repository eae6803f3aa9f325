package dev.arrakis.tools.gradients;

import dev.arrakis.ArrakisException;

/** A gradient could not be taken: the metric threw or is not a scalar, or a backward hook failed. */
public final class GradientException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    GradientException(String message, Throwable cause) {
        super(message, cause);
    }
}
