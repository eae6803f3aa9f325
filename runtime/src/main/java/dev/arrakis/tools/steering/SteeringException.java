package dev.arrakis.tools.steering;

import dev.arrakis.ArrakisException;

/** A steering request the model or the prompt cannot take: a layer or hook it lacks, a vector of the wrong width. */
public class SteeringException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public SteeringException(String message) {
        super(message);
    }
}
