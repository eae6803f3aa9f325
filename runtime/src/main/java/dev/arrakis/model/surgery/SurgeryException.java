package dev.arrakis.model.surgery;

import dev.arrakis.ArrakisException;

/** An edit the model cannot take: a layer or head it lacks, a list that is not a permutation, a weight of the wrong shape. */
public class SurgeryException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public SurgeryException(String message) {
        super(message);
    }
}
