package dev.arrakis.runs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Resolves what a researcher types to name a run; see {@link RunStore#get}. Reads only the records it needs: an id
 * names a directory, {@code latest} walks back from the newest id, and a prefix or short id is matched against the
 * directory names before any record is read, so that naming a run costs the same in a store of ten thousand.
 */
final class RunReferences {
    private static final Pattern LATEST = Pattern.compile("latest(?:~([0-9]+))?");
    private static final Pattern NAMED = Pattern.compile("(.+)@(?:latest(?:~([0-9]+))?|v([1-9][0-9]*))");
    private static final int LISTED_CANDIDATES = 5;

    private RunReferences() {}

    static StoredRun resolve(RunStore store, String reference, Consumer<StoreProblem> skipped) {
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
            int steps = steps(typed, latest.group(1));
            return nthNewest(store.newest(RunQuery.all(), steps + 1, skipped), steps, "in " + store.root());
        }
        Matcher named = NAMED.matcher(typed);
        if (named.matches()) {
            String name = named.group(1);
            RunQuery query = RunQuery.all().withExperiment(name);
            if (named.group(3) != null) {
                int version = steps(typed, named.group(3));
                List<StoredRun> runs = store.newest(query.withVersion(version), 1, skipped);
                if (runs.isEmpty()) {
                    store.requireRunsOf(name);
                    throw new RunStoreException("no run of " + name + " v" + version + " in " + store.root()
                            + versionsKnown(store, name));
                }
                return runs.get(0);
            }
            int steps = steps(typed, named.group(2));
            List<StoredRun> runs = store.newest(query, steps + 1, skipped);
            if (runs.isEmpty()) {
                store.requireRunsOf(name);
            }
            return nthNewest(runs, steps, "of " + name);
        }
        return byIdPrefix(store, typed, skipped);
    }

    /** A unique prefix of an id, or its random part; records are read only for the names that match. */
    private static StoredRun byIdPrefix(RunStore store, String typed, Consumer<StoreProblem> skipped) {
        List<String> matching = store.runIds().stream()
                .filter(id -> id.startsWith(typed) || StoreNames.shortId(id).equals(typed))
                .toList();
        if (matching.size() == 1) {
            return read(store, store.runsDirectory().resolve(matching.get(0)));
        }
        List<StoredRun> readable = new ArrayList<>();
        for (String id : matching) {
            StoredRun run = store.readOrReport(id, skipped);
            if (run != null) {
                readable.add(run);
            }
        }
        if (readable.size() == 1) {
            return readable.get(0);
        }
        if (readable.isEmpty()) {
            throw new RunStoreException("no run '" + typed + "' in " + store.root() + (matching.isEmpty()
                    ? " (name a run by its id, a unique prefix of it, its last six characters, latest, or"
                            + " NAME@latest / NAME@vN)"
                    : ": the " + matching.size() + " runs it matches cannot be read (see `arrakis runs`)"));
        }
        StringBuilder candidates = new StringBuilder();
        readable.stream().limit(LISTED_CANDIDATES).forEach(run -> candidates.append(candidates.isEmpty() ? "" : ", ")
                .append(run.id()));
        throw new RunStoreException("'" + typed + "' matches " + readable.size() + " runs: " + candidates
                + (readable.size() > LISTED_CANDIDATES ? ", ..." : "") + "; give more of the id");
    }

    private static StoredRun read(RunStore store, Path directory) {
        try {
            return StoredRun.read(directory);
        } catch (RunStoreException e) {
            throw new RunStoreException("run " + store.root().relativize(directory) + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /**
     * The number after {@code ~} or {@code v}, refused when it is too large for an int with one to spare (the count
     * of runs to read is one more than the steps back).
     */
    private static int steps(String typed, String digits) {
        if (digits == null) {
            return 0;
        }
        try {
            int steps = Integer.parseInt(digits);
            if (steps < Integer.MAX_VALUE) {
                return steps;
            }
        } catch (NumberFormatException e) {
            // too many digits: refused below
        }
        throw new RunStoreException("'" + typed + "': " + digits + " is too large a number of runs or versions");
    }

    /** The run {@code steps} back in runs listed newest first. */
    private static StoredRun nthNewest(List<StoredRun> newestFirst, int steps, String where) {
        if (newestFirst.size() <= steps) {
            throw new RunStoreException(newestFirst.isEmpty() ? "no runs " + where
                    : "only " + newestFirst.size() + " run" + (newestFirst.size() == 1 ? "" : "s") + " " + where
                            + "; latest~" + steps + " does not exist");
        }
        return newestFirst.get(steps);
    }

    private static String versionsKnown(RunStore store, String name) {
        String experiment = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        List<ExperimentVersion> versions = store.versions(experiment);
        return versions.isEmpty() ? "" : " (its versions: v1..v" + versions.get(versions.size() - 1).version() + ")";
    }
}
