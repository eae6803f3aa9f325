package dev.arrakis.io.hub;

import dev.arrakis.ArrakisException;

/**
 * A model repo or the local cache holds something Arrakis cannot use: weights only in pickle format, a malformed
 * answer from the hub, a cache that cannot be read. Unlike {@link ModelNotFoundException}, fetching again will not
 * help.
 */
public final class HubException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    public HubException(String message) {
        super(message);
    }

    public HubException(String message, Throwable cause) {
        super(message, cause);
    }
}
