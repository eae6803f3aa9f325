package dev.arrakis.io.hub;

import java.io.IOException;
import java.net.URI;

/** The hub answered a request with an HTTP status other than success; {@code subject} says what was asked for. */
final class HubStatusException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final URI uri;
    private final String subject;

    HubStatusException(int status, URI uri, String subject) {
        super("HTTP " + status + " for " + uri);
        this.status = status;
        this.uri = uri;
        this.subject = subject;
    }

    int status() {
        return status;
    }

    URI uri() {
        return uri;
    }

    String subject() {
        return subject;
    }
}
