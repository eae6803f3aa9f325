package dev.arrakis.runs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Resolves what a researcher types to name a run; see {@link RunStore#get}. */
final class RunReferences {
    private static final Pattern LATEST = Pattern.compile("latest(?:~([0-9]+))?");
    private static final Pattern NAMED = Pattern.compile("(.+)@(?:latest(?:~([0-9]+))?|v([1-9][0-9]*))");
    private static final int LISTED_CANDIDATES = 5;

    private RunReferences() {}

    static StoredRun resolve(RunStore store, String reference) {
        String typed = reference.strip();
        if (typed.isEmpty()) {
            throw new RunStoreException("no run named: give an id, latest, or NAME@latest");
        }
        if (StoreNames.isRunId(typed)) {
            Path directory = store.runsDirectory().resolve(typed);
            if (Files.isDirectory(directory)) {
                return read(store, directory);
            }
        }
        Matcher latest = LATEST.matcher(typed);
        if (latest.matches()) {
            return nthNewest(store, store.list(RunQuery.all()).runs(), latest.group(1), "in " + store.root());
        }
        Matcher named = NAMED.matcher(typed);
        if (named.matches()) {
            RunQuery query = RunQuery.all().withExperiment(named.group(1));
            if (named.group(3) != null) {
                int version = saturatedInt(named.group(3));
                List<StoredRun> runs = store.list(query.withVersion(version)).runs();
                if (runs.isEmpty()) {
                    store.requireRunsOf(named.group(1));
                    throw new RunStoreException("no run of " + named.group(1) + " v" + named.group(3) + " in "
                            + store.root() + versionsKnown(store, named.group(1)));
                }
                return runs.get(runs.size() - 1);
            }
            List<StoredRun> runs = store.list(query).runs();
            if (runs.isEmpty()) {
                store.requireRunsOf(named.group(1));
            }
            return nthNewest(store, runs, named.group(2), "of " + named.group(1));
        }
        List<StoredRun> matches = store.list(RunQuery.all()).runs().stream()
                .filter(run -> run.id().startsWith(typed) || StoreNames.shortId(run.id()).equals(typed))
                .toList();
        if (matches.size() == 1) {
            return matches.get(0);
        }
        if (matches.isEmpty()) {
            throw new RunStoreException("no run '" + typed + "' in " + store.root() + " (name a run by its id, a"
                    + " unique prefix of it, its last six characters, latest, or NAME@latest / NAME@vN)");
        }
        StringBuilder candidates = new StringBuilder();
        matches.stream().limit(LISTED_CANDIDATES).forEach(run -> candidates.append(candidates.isEmpty() ? "" : ", ")
                .append(run.id()));
        throw new RunStoreException("'" + typed + "' matches " + matches.size() + " runs: " + candidates
                + (matches.size() > LISTED_CANDIDATES ? ", ..." : "") + "; give more of the id");
    }

    private static StoredRun read(RunStore store, Path directory) {
        try {
            return StoredRun.read(directory);
        } catch (RunStoreException e) {
            throw new RunStoreException("run " + store.root().relativize(directory) + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    private static StoredRun nthNewest(RunStore store, List<StoredRun> runs, String back, String where) {
        int steps = back == null ? 0 : saturatedInt(back);
        if (runs.size() <= steps) {
            throw new RunStoreException(runs.isEmpty() ? "no runs " + where
                    : "only " + runs.size() + " run" + (runs.size() == 1 ? "" : "s") + " " + where + "; latest~"
                            + back + " does not exist");
        }
        return runs.get(runs.size() - 1 - steps);
    }

    /**
     * Digits as an int, or {@link Integer#MAX_VALUE} when they say more: no store holds that many runs or versions,
     * so the answer (no such run) is the same.
     */
    private static int saturatedInt(String digits) {
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException beyondAnInt) {
            return Integer.MAX_VALUE;
        }
    }

    private static String versionsKnown(RunStore store, String name) {
        String experiment = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        List<ExperimentVersion> versions = store.versions(experiment);
        return versions.isEmpty() ? "" : " (its versions: v1..v" + versions.get(versions.size() - 1).version() + ")";
    }
}
