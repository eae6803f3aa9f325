package dev.arrakis.io.hub;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Objects;

/** Turns a failed download into the sentence a researcher reads after "Not downloaded:". */
final class DownloadFailures {

    private DownloadFailures() {}

    static String explain(IOException failure, HubSettings settings) {
        if (failure instanceof HubStatusException status) {
            return explainStatus(status, settings);
        }
        if (failure instanceof HubConnectionException connection) {
            return "could not reach " + connection.uri() + ": " + whyUnreachable(connection, settings) + " ("
                    + describe(connection.getCause()) + ")";
        }
        return "downloading from " + settings.endpoint() + " failed: " + describe(failure);
    }

    private static String explainStatus(HubStatusException e, HubSettings settings) {
        String answered = " (HTTP " + e.status() + " for " + e.uri() + ")";
        return switch (e.status()) {
            case 401, 403 -> settings.endpoint() + " refused access to " + e.subject() + answered
                    + ": it may be private or gated, or may not exist (the hub answers 401 for unknown repos too). "
                    + (settings.token().isPresent()
                            ? "The token in HF_TOKEN does not grant access to it."
                            : "A token may be needed: set HF_TOKEN to a Hugging Face access token that can read it.");
            case 404 -> e.subject() + " does not exist at " + settings.endpoint() + answered
                    + "; check the spelling, and HF_ENDPOINT if you use a mirror.";
            default -> settings.endpoint() + " failed to serve " + e.subject() + answered + "; try again later.";
        };
    }

    private static String whyUnreachable(HubConnectionException e, HubSettings settings) {
        if (hasCause(e, UnknownHostException.class) || hasCause(e, UnresolvedAddressException.class)) {
            return "its host name does not resolve";
        }
        if (hasCause(e, HttpConnectTimeoutException.class)) {
            return "connecting took longer than " + seconds(settings) + " (HF_HUB_DOWNLOAD_TIMEOUT)";
        }
        if (hasCause(e, HttpTimeoutException.class)) {
            return "it did not answer within " + seconds(settings) + " (HF_HUB_DOWNLOAD_TIMEOUT)";
        }
        if (hasCause(e, ConnectException.class)) {
            return "the connection was refused or failed";
        }
        return "the request failed";
    }

    private static String seconds(HubSettings settings) {
        return settings.timeout().toMillis() / 1000.0 + " s";
    }

    private static boolean hasCause(Throwable error, Class<? extends Throwable> type) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (type.isInstance(cause)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The exception and its causes, since network errors often carry their meaning only in a cause's class; a cause
     * that merely repeats its wrapper is left out.
     */
    static String describe(Throwable error) {
        StringBuilder description = new StringBuilder();
        String previous = null;
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            String entry = cause.getClass().getSimpleName()
                    + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
            if (!Objects.equals(entry, previous)) {
                description.append(previous == null ? "" : ", caused by ").append(entry);
            }
            previous = entry;
        }
        return description.toString();
    }
}
