package dev.arrakis.util;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Nearest-name suggestions for error messages about unknown names (hook points, tensors, config keys). */
public final class DidYouMean {
    private DidYouMean() {}

    /**
     * The candidates a reader would take {@code name} for, best first, at most {@code limit}: the same name in another
     * case; a name that {@code name} is the start of ({@code gpt2-smal} for {@code gpt2-small}); a name one edit away
     * ({@code pythia-7m} for {@code pythia-70m}); the family {@code name} begins with, up to a separator
     * ({@code gpt2} for {@code gpt2-smal}, rather than its sibling {@code gpt2-xl}); then names within a third of the
     * name's length in edits (at least 2), so unrelated names are never suggested. Within each kind, fewer edits first.
     */
    public static List<String> nearest(String name, Collection<String> candidates, int limit) {
        return ranked(name, candidates).limit(limit).map(Scored::candidate).toList();
    }

    private static java.util.stream.Stream<Scored> ranked(String name, Collection<String> candidates) {
        int threshold = Math.max(2, name.length() / 3);
        String typed = name.toLowerCase(Locale.ROOT);
        return candidates.stream()
                .map(candidate -> score(typed, candidate))
                .filter(scored -> scored.kind != Kind.EDITS || scored.distance <= threshold)
                .sorted(Comparator.comparing(Scored::kind).thenComparingInt(Scored::distance)
                        .thenComparing(Scored::candidate));
    }

    private static Scored score(String typed, String candidate) {
        String lower = candidate.toLowerCase(Locale.ROOT);
        int distance = editDistance(typed, lower);
        Kind kind = distance == 0 ? Kind.SAME_BUT_CASE
                : !typed.isEmpty() && lower.startsWith(typed) ? Kind.UNFINISHED
                : distance == 1 ? Kind.ONE_EDIT
                : beginsFamily(lower, typed) ? Kind.FAMILY
                : Kind.EDITS;
        return new Scored(candidate, kind, distance);
    }

    /** Whether {@code name} is {@code family} followed by a separator and more: {@code gpt2-smal} of {@code gpt2}. */
    private static boolean beginsFamily(String family, String name) {
        return name.length() > family.length() && name.startsWith(family)
                && !Character.isLetterOrDigit(name.charAt(family.length()));
    }

    /**
     * The {@code limit} candidates closest to {@code name}, however far: in an unfamiliar naming scheme (a
     * checkpoint's tensors) even a distant name shows the caller what the names look like.
     */
    public static List<String> closest(String name, Collection<String> candidates, int limit) {
        return candidates.stream()
                .map(candidate -> new Scored(candidate, Kind.EDITS, editDistance(name, candidate)))
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
        List<Scored> near = ranked(name, candidates).limit(3).toList();
        if (near.isEmpty()) {
            return "";
        }
        Scored best = near.get(0);
        return phrase(near.stream()
                .filter(scored -> scored.kind == best.kind && scored.distance == best.distance)
                .map(scored -> scored.candidate)
                .toList());
    }

    /** {@code "; did you mean 'a' or 'b'?"} for these names, the words every suggestion uses; "" for none. */
    public static String phrase(List<String> names) {
        return names.isEmpty() ? ""
                : "; did you mean " + String.join(" or ", names.stream().map(name -> "'" + name + "'").toList()) + "?";
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

    /** How a candidate relates to the name typed, closest first. */
    private enum Kind { SAME_BUT_CASE, UNFINISHED, ONE_EDIT, FAMILY, EDITS }

    private record Scored(String candidate, Kind kind, int distance) {}
}
