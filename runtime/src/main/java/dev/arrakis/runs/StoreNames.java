package dev.arrakis.runs;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Names on disk: run ids and experiment directories. */
final class StoreNames {
    private static final DateTimeFormatter ID_TIME = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(ZoneOffset.UTC);
    private static final Pattern RUN_ID = Pattern.compile("[0-9]{8}-[0-9]{6}-[0-9a-f]{6}");
    private static final Pattern PLAIN_NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]*");
    private static final SecureRandom RANDOM = new SecureRandom();

    private StoreNames() {}

    /**
     * {@code 20261126-170301-3f9a2c}: the start time in UTC, so ids sort by time, and 24 random bits, so runs started
     * in the same second by different JVMs still differ (a clash is detected when the directory is renamed in).
     */
    static String newRunId(Instant startedAt) {
        byte[] random = new byte[3];
        RANDOM.nextBytes(random);
        return ID_TIME.format(startedAt) + "-" + HexFormat.of().formatHex(random);
    }

    static boolean isRunId(String name) {
        return RUN_ID.matcher(name).matches();
    }

    /** The start second a run id begins with, {@code 20261126-170301}. */
    static String startSecond(String runId) {
        return runId.substring(0, runId.lastIndexOf('-'));
    }

    /** Whether {@code startedAt} falls in the second the run id names, as it does for every id this class made. */
    static boolean namesSecondOf(String runId, Instant startedAt) {
        return isRunId(runId) && startSecond(runId).equals(ID_TIME.format(startedAt));
    }

    /** The random part of a run id, the short form a researcher may type. */
    static String shortId(String runId) {
        return runId.substring(runId.lastIndexOf('-') + 1);
    }

    /**
     * An experiment's name as a directory name: itself when it is plain (letters, digits, {@code _ . -}), otherwise
     * percent-encoded, so no name can climb out of the store or collide with another.
     */
    static String directoryName(String experiment) {
        if (PLAIN_NAME.matcher(experiment).matches() && !experiment.contains("..")) {
            return experiment;
        }
        StringBuilder encoded = new StringBuilder();
        for (byte b : experiment.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 128 && (Character.isLetterOrDigit(c) || c == '_' || c == '-')) {
                encoded.append(c);
            } else {
                encoded.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return encoded.toString();
    }
}
