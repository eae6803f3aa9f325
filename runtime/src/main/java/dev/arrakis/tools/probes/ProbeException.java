package dev.arrakis.tools.probes;

import dev.arrakis.ArrakisException;

/** A probe was asked to fit data it cannot: mismatched lengths, too few examples, a single class. */
public class ProbeException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public ProbeException(String message) {
        super(message);
    }
}
