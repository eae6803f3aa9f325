package dev.arrakis.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Nearest-name suggestions for error messages about unknown names (hook points, tensors, config keys). */
public final class DidYouMean {
    private DidYouMean() {}

    /**
     * The candidates closest to {@code name} by edit distance, best first, at most {@code limit}; only candidates
     * within a third of the name's length (at least 2 edits) count as near, so unrelated names are never suggested.
     */
    public static List<String> nearest(String name, Collection<String> candidates, int limit) {
        int threshold = Math.max(2, name.length() / 3);
        return candidates.stream()
                .map(candidate -> new Scored(candidate, editDistance(name, candidate)))
                .filter(scored -> scored.distance <= threshold)
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::candidate))
                .limit(limit)
                .map(Scored::candidate)
                .toList();
    }

    /**
     * The {@code limit} candidates closest to {@code name}, however far: in an unfamiliar naming scheme (a
     * checkpoint's tensors) even a distant name shows the caller what the names look like.
     */
    public static List<String> closest(String name, Collection<String> candidates, int limit) {
        return candidates.stream()
                .map(candidate -> new Scored(candidate, editDistance(name, candidate)))
                .sorted(Comparator.comparingInt(Scored::distance).thenComparing(Scored::candidate))
                .limit(limit)
                .map(Scored::candidate)
                .toList();
    }

    /**
     * A suffix for a message: {@code "; did you mean 'x'?"}, or empty when nothing is near. Only the nearest names
     * are offered (up to three when several are equally near): one clear suggestion beats a list.
     */
    public static String hint(String name, Collection<String> candidates) {
        List<String> near = nearest(name, candidates, 3);
        if (near.isEmpty()) {
            return "";
        }
        int best = editDistance(name, near.get(0));
        near = near.stream().filter(candidate -> editDistance(name, candidate) == best).toList();
        return "; did you mean " + String.join(" or ", near.stream().map(n -> "'" + n + "'").toList()) + "?";
    }

    /** Levenshtein distance: insertions, deletions and substitutions each cost 1. */
    public static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    private record Scored(String candidate, int distance) {}
}
