package dev.arrakis.processor.emit;

import java.util.Collection;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The {@code META-INF/services} registry of runners: one binary class name a line. Sorted, so the file does not
 * depend on the order classes were compiled in.
 */
public final class RegistryFile {
    private RegistryFile() {}

    /** The entries of an existing file; comments ({@code #} to the line's end) and blank lines are skipped. */
    public static SortedSet<String> parse(CharSequence text) {
        SortedSet<String> entries = new TreeSet<>();
        for (String line : text.toString().split("\\R")) {
            int comment = line.indexOf('#');
            String entry = (comment >= 0 ? line.substring(0, comment) : line).trim();
            if (!entry.isEmpty()) {
                entries.add(entry);
            }
        }
        return entries;
    }

    public static String format(Collection<String> entries) {
        StringBuilder text = new StringBuilder();
        new TreeSet<>(entries).forEach(entry -> text.append(entry).append('\n'));
        return text.toString();
    }
}
