package dev.arrakis.runs;

import dev.arrakis.ArrakisException;

/** A run that cannot be found, read or written: names the run or the store entry at fault. */
public class RunStoreException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public RunStoreException(String message) {
        super(message);
    }

    public RunStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
