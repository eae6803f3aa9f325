package dev.arrakis.tools.lens;

import dev.arrakis.ArrakisException;

/** A lens or attribution request the model or the pass cannot answer: a token outside the vocabulary, a bad shape. */
public class LensException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public LensException(String message) {
        super(message);
    }
}
