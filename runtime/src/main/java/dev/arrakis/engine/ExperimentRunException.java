package dev.arrakis.engine;

import dev.arrakis.ArrakisException;

/**
 * A run that was valid as written failed once it met the model or its data: the checkpoint's shape differs from the
 * one the experiment was checked against, an input is not something the model can run on, patched inputs differ in
 * shape, a position lies beyond the input, or an {@code @Input} or run method threw (the cause).
 */
public final class ExperimentRunException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public ExperimentRunException(String message) {
        super(message);
    }

    public ExperimentRunException(String message, Throwable cause) {
        super(message, cause);
    }
}
