package dev.arrakis;

/**
 * Root of every error Arrakis raises on bad input: a malformed file, an unknown name, an index out of range. Each
 * subclass names the thing at fault so that the message alone tells a researcher what to fix.
 */
public class ArrakisException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ArrakisException(String message) {
        super(message);
    }

    public ArrakisException(String message, Throwable cause) {
        super(message, cause);
    }
}
