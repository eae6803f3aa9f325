package dev.arrakis.io.hub;

import java.io.IOException;
import java.net.URI;

/**
 * A request got no answer at all: the host did not resolve, the connection failed, or the answer did not start in
 * time. Carries the URI because the failing host may be a CDN the hub redirected to, not the hub itself.
 */
final class HubConnectionException extends IOException {
    private static final long serialVersionUID = 1L;

    private final URI uri;

    HubConnectionException(URI uri, IOException cause) {
        super("no answer from " + uri, cause);
        this.uri = uri;
    }

    URI uri() {
        return uri;
    }
}
