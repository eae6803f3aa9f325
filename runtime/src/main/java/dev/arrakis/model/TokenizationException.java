package dev.arrakis.model;

import dev.arrakis.ArrakisException;

/** Text that does not tokenize as asked: several tokens where one was wanted, no BOS token to prepend. */
public class TokenizationException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public TokenizationException(String message) {
        super(message);
    }

    public TokenizationException(String message, Throwable cause) {
        super(message, cause);
    }
}
