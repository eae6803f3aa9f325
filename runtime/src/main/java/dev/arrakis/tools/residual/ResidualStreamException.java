package dev.arrakis.tools.residual;

import dev.arrakis.ArrakisException;

/** A residual-stream request the model or the stack cannot answer: a layer it lacks, a label not in the stack. */
public class ResidualStreamException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public ResidualStreamException(String message) {
        super(message);
    }
}
