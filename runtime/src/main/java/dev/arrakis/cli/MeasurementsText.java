package dev.arrakis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.util.Locale;

/** A record's memory peak and per-component profile as text, for {@code show}. */
final class MeasurementsText {
    private static final double MIB = 1024.0 * 1024.0;

    private MeasurementsText() {}

    static void print(PrintWriter out, JsonNode document) {
        JsonNode memory = document.path("memory");
        if (memory.isObject()) {
            out.printf(Locale.ROOT, "memory    peak resident %s (from %s at the start), peak heap %s%n",
                    mib(memory.path("peakRssBytes")), mib(memory.path("baselineRssBytes")),
                    mib(memory.path("peakHeapBytes")));
        }
        JsonNode profile = document.path("profile").path("components");
        if (profile.isArray() && !profile.isEmpty()) {
            out.println("profile   component                     total ms   passes   max resident growth");
            for (JsonNode component : profile) {
                out.printf(Locale.ROOT, "          %-28s %9.2f %8d   %s%n", component.path("component").asText(),
                        component.path("totalNanos").asLong() / 1e6, component.path("passes").asInt(),
                        mib(component.path("maxRssGrowthBytes")));
            }
        }
    }

    private static String mib(JsonNode bytes) {
        return bytes.isNumber() && bytes.asLong() >= 0
                ? String.format(Locale.ROOT, "%.1f MiB", bytes.asLong() / MIB) : "unknown";
    }
}
