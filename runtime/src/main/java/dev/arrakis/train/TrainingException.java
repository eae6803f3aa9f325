package dev.arrakis.train;

import dev.arrakis.ArrakisException;

/** A training run that cannot go on: its loss stopped being a finite number, so further steps would only spread it. */
public class TrainingException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public TrainingException(String message) {
        super(message);
    }
}
