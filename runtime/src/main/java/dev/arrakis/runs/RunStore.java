package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.io.DurableFiles;
import dev.arrakis.io.Json;
import dev.arrakis.plot.HtmlView;
import dev.arrakis.plot.PlotRenderException;
import dev.arrakis.plot.PlotRenderer;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.util.DidYouMean;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Every run an experiment makes, kept as an immutable record under one directory:
 *
 * <pre>
 * arrakis-runs/
 *   experiments/HeadAblation/v1.json      one file per version: fingerprint and source
 *   runs/20261126-170301-3f9a2c/          one directory per run, named by its id
 *     run.json  arrays.safetensors  plots/eachHead.png  plots/eachHead.svg  index.html
 * </pre>
 *
 * <p>A run is written into a hidden directory ({@code runs/.incomplete-<id>-<pid>}), forced to disk and renamed into
 * place, so readers see a whole run or none, a process killed while writing leaves only its hidden directory, and
 * no run ever replaces another (ids carry random bits, and a rename onto an existing run is refused and retried
 * under a new id). Versions are numbered under a lock shared by every JVM ({@link VersionIndex}). Reading never
 * stops at a bad entry: {@link #list} returns what it could read and names the rest.
 *
 * <p>Instances hold no state beyond the root, and any number of them, in any number of processes, may share it.
 */
public final class RunStore implements RunSink {
    /** The store's directory when nothing else is said, relative to the working directory. */
    public static final String DEFAULT_DIRECTORY = "arrakis-runs";
    /** Names the store's directory; overrides the default. */
    public static final String ENVIRONMENT_VARIABLE = "ARRAKIS_RUNS";
    /** Names the store's directory; overrides the environment variable (set by the build for tests). */
    public static final String SYSTEM_PROPERTY = "arrakis.runs";

    private static final String RUNS = "runs";
    private static final String INCOMPLETE_PREFIX = ".incomplete-";
    private static final Pattern INCOMPLETE = Pattern.compile("\\.incomplete-(.+)-([0-9]+)");
    private static final int ID_ATTEMPTS = 16;
    private static final Comparator<StoredRun> OLDEST_FIRST =
            Comparator.comparing(StoredRun::startedAt).thenComparing(StoredRun::id);

    private final Path root;
    private final VersionIndex versions;

    private RunStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        this.versions = new VersionIndex(this.root.resolve("experiments"));
    }

    /** The store under this directory; nothing is created until the first run is saved. */
    public static RunStore open(Path root) {
        if (Files.exists(root) && !Files.isDirectory(root)) {
            throw new RunStoreException("run store " + root + " is a file, not a directory");
        }
        return new RunStore(root);
    }

    /** The store named by {@value #SYSTEM_PROPERTY}, else {@value #ENVIRONMENT_VARIABLE}, else ./arrakis-runs. */
    public static RunStore atDefaultLocation() {
        return open(defaultLocation());
    }

    public static Path defaultLocation() {
        return chooseDefaultLocation().path();
    }

    /**
     * What chose {@link #defaultLocation()}, for messages about a store that is not there: {@code from $ARRAKIS_RUNS},
     * or {@code the default, ./arrakis-runs in the working directory}, which differs from one directory to the next.
     */
    public static String defaultLocationOrigin() {
        return chooseDefaultLocation().origin();
    }

    private record ChosenLocation(Path path, String origin) {}

    private static ChosenLocation chooseDefaultLocation() {
        String property = System.getProperty(SYSTEM_PROPERTY);
        if (property != null && !property.isBlank()) {
            return new ChosenLocation(Path.of(property), "from the system property " + SYSTEM_PROPERTY);
        }
        String variable = System.getenv(ENVIRONMENT_VARIABLE);
        if (variable != null && !variable.isBlank()) {
            return new ChosenLocation(Path.of(variable), "from $" + ENVIRONMENT_VARIABLE);
        }
        return new ChosenLocation(Path.of(DEFAULT_DIRECTORY), "the default, ./" + DEFAULT_DIRECTORY
                + " in the working directory");
    }

    public Path root() {
        return root;
    }

    /** Saves a run handed over by an {@link dev.arrakis.engine.ExperimentRunner}. */
    @Override
    public void record(RunRecord record) {
        save(record);
    }

    /**
     * Writes a run: allocates its version, moves large arrays into {@code arrays.safetensors}, draws its plot (a
     * plot that cannot be drawn is noted in the record rather than losing the run) and writes its page, all in a
     * hidden directory that is then renamed into place.
     *
     * @return the run as stored, with its new id
     * @throws RunStoreException when the store cannot be written
     */
    public StoredRun save(RunRecord record) {
        int version = versions.versionOf(record.experiment(), record.fingerprint(), record.source());
        Path runs = root.resolve(RUNS);
        try {
            Files.createDirectories(runs);
            for (int attempt = 0; attempt < ID_ATTEMPTS; attempt++) {
                String id = StoreNames.newRunId(record.startedAt());
                Path staging = runs.resolve(INCOMPLETE_PREFIX + id + "-" + ProcessHandle.current().pid());
                try {
                    JsonNode document = write(staging, id, version, record);
                    AtomicFiles.forceDirectories(staging);
                    if (AtomicFiles.moveDirectory(staging, runs.resolve(id))) {
                        return StoredRun.of(runs.resolve(id), document);
                    }
                } finally {
                    deleteTree(staging);
                }
            }
            throw new RunStoreException("could not find a free run id in " + runs + " after " + ID_ATTEMPTS
                    + " attempts");
        } catch (IOException e) {
            throw new RunStoreException("cannot save a run of " + record.experiment() + "." + record.run() + " in "
                    + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes the run's files into {@code directory}, each forced to disk by its writer, and returns the record as
     * written (large arrays as references).
     */
    private static JsonNode write(Path directory, String id, int version, RunRecord record) throws IOException {
        Files.createDirectories(directory);
        ObjectNode document = Json.MAPPER.createObjectNode();
        document.put("format", StoredRun.FORMAT);
        document.put("id", id);
        document.put("version", version);
        ((ObjectNode) Json.MAPPER.valueToTree(record)).fields()
                .forEachRemaining(field -> document.set(field.getKey(), field.getValue()));
        ArrayNode pictures = document.putArray("pictures");
        if (record.plot() != null) {
            try {
                new PlotRenderer().render(record.plot(), directory.resolve("plots"), record.run()).files()
                        .forEach(file -> pictures.add(directory.relativize(file).toString().replace('\\', '/')));
            } catch (PlotRenderException e) {
                document.put("picturesFailed", e.getMessage());
            }
            attentionPage(record.plot(), directory).ifPresent(page -> pictures.add(page));
        }
        // The page is drawn while the arrays are still inline, so nothing written here is read back.
        byte[] page = RunPage.html(StoredRun.of(directory, document));
        ArrayFiles.externalize(document, List.of("arguments", "results", "plot"), directory);
        byte[] recordBytes = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
        DurableFiles.writeNew(directory.resolve(StoredRun.RECORD_FILE), ByteBuffer.wrap(recordBytes));
        DurableFiles.writeNew(directory.resolve(StoredRun.PAGE_FILE), ByteBuffer.wrap(page));
        // Parsed from the bytes written, so the run returned is the same tree a later read of run.json gives.
        return Json.MAPPER.readTree(recordBytes);
    }

    /**
     * An attention result also gets the interactive page ({@link HtmlView}): hover a query position to see where it
     * attends, one button per panel (batch row and head). Skipped when a panel is not a square of weights in [0, 1],
     * e.g. the missing points of an interrupted run.
     */
    private static java.util.Optional<String> attentionPage(PlotRequest plot, Path directory) {
        if (plot.kind() != PlotKind.ATTENTION) {
            return java.util.Optional.empty();
        }
        List<String> labels = new ArrayList<>();
        double[][][] patterns = new double[plot.panels().size()][][];
        for (int panel = 0; panel < patterns.length; panel++) {
            PlotRequest.Panel each = plot.panels().get(panel);
            labels.add(each.title().isEmpty() ? plot.title() : each.title());
            patterns[panel] = each.values();
        }
        try {
            HtmlView.attention(plot.title(), plot.columnTicks(), labels, patterns)
                    .write(directory.resolve("plots/attention.html"));
            return java.util.Optional.of("plots/attention.html");
        } catch (IllegalArgumentException notAPattern) {
            return java.util.Optional.empty();
        }
    }

    /**
     * The runs the query matches, oldest first, and a problem for each entry that is not a readable run: a damaged
     * record, or the hidden directory of a writer that died. Directories of writers still running are not listed.
     */
    public RunListing list(RunQuery query) {
        Path runs = root.resolve(RUNS);
        List<StoredRun> found = new ArrayList<>();
        List<StoreProblem> problems = new ArrayList<>();
        for (String name : entryNames()) {
            Matcher incomplete = INCOMPLETE.matcher(name);
            if (incomplete.matches()) {
                long pid = Long.parseLong(incomplete.group(2));
                if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                    continue;
                }
                problems.add(new StoreProblem(RUNS + "/" + name, "an unfinished run left by process " + pid
                        + ", which is gone; it was never visible and can be deleted"));
                continue;
            }
            if (name.startsWith(".")) {
                continue;
            }
            StoredRun run = readOrReport(name, problems::add);
            if (run != null && query.matches(run)) {
                found.add(run);
            }
        }
        found.sort(OLDEST_FIRST);
        return new RunListing(found, problems);
    }

    /**
     * The newest runs the query matches, newest first, at most {@code count}, reading records from the newest run id
     * back only as far as it must: an id begins with its run's start second, so the runs of one second are read
     * together and ordered as {@link #list} orders them, and older seconds are left unread once there are enough.
     * Each damaged record passed on the way goes to {@code skipped}.
     */
    List<StoredRun> newest(RunQuery query, int count, Consumer<StoreProblem> skipped) {
        List<String> ids = runIds();
        List<StoredRun> found = new ArrayList<>();
        int next = ids.size() - 1;
        while (next >= 0 && found.size() < count) {
            String second = StoreNames.startSecond(ids.get(next));
            List<StoredRun> sameSecond = new ArrayList<>();
            for (; next >= 0 && StoreNames.startSecond(ids.get(next)).equals(second); next--) {
                StoredRun run = readOrReport(ids.get(next), skipped);
                if (run != null && query.matches(run)) {
                    sameSecond.add(run);
                }
            }
            sameSecond.sort(OLDEST_FIRST.reversed());
            found.addAll(sameSecond);
        }
        return List.copyOf(found.subList(0, Math.min(count, found.size())));
    }

    /** The names in {@code runs/} that are run ids, oldest first; no record is read. */
    List<String> runIds() {
        return entryNames().stream().filter(StoreNames::isRunId).toList();
    }

    /** The run in {@code runs/<name>}, or null after telling {@code problems} why there is none. */
    StoredRun readOrReport(String name, Consumer<StoreProblem> problems) {
        Path entry = root.resolve(RUNS).resolve(name);
        if (!Files.isDirectory(entry) || !StoreNames.isRunId(name)) {
            problems.accept(new StoreProblem(RUNS + "/" + name, "not a run directory (run ids look like "
                    + "20261126-170301-3f9a2c)"));
            return null;
        }
        try {
            return StoredRun.read(entry);
        } catch (RunStoreException e) {
            problems.accept(new StoreProblem(RUNS + "/" + name, e.getMessage()));
            return null;
        }
    }

    private List<String> entryNames() {
        Path runs = root.resolve(RUNS);
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> listed = Files.list(runs)) {
            return listed.map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new RunStoreException("cannot list " + runs + ": " + e.getMessage(), e);
        }
    }

    /**
     * One run, by reference:
     * <ul>
     *   <li>its id ({@code 20261126-170301-3f9a2c}), a prefix of it that only one run has, or its random part
     *       ({@code 3f9a2c});
     *   <li>{@code latest}, the newest run; {@code latest~1} the one before it;
     *   <li>{@code NAME@latest}, {@code NAME@latest~N} or {@code NAME@vN} (the newest run of version N), where NAME
     *       is an experiment ({@code HeadAblation}) or one of its runs ({@code HeadAblation.eachHead}).
     * </ul>
     *
     * @throws RunStoreException when nothing matches, more than one run does, or the run's record is damaged
     */
    public StoredRun get(String reference) {
        return get(reference, problem -> {});
    }

    /**
     * {@link #get(String)}, telling {@code skipped} of each damaged record it passed over: {@code latest} is the
     * newest run that can be read, not the newest entry.
     */
    public StoredRun get(String reference, Consumer<StoreProblem> skipped) {
        return RunReferences.resolve(this, reference, skipped);
    }

    /**
     * Checks that the store has runs of an experiment ({@code HeadAblation}) or run method
     * ({@code HeadAblation.eachHead}), so that a misspelt name is an error rather than an empty answer.
     *
     * @throws RunStoreException naming the store, the nearest names it has runs of, and all of them
     */
    public void requireRunsOf(String experimentOrRun) {
        List<StoredRun> runs = list(RunQuery.all()).runs();
        RunQuery query = RunQuery.all().withExperiment(experimentOrRun);
        if (runs.stream().noneMatch(query::matches)) {
            Set<String> names = new LinkedHashSet<>();
            runs.forEach(run -> names.add(run.experiment()));
            Set<String> qualified = new LinkedHashSet<>();
            runs.forEach(run -> qualified.add(run.qualifiedName()));
            names.addAll(qualified);
            throw new RunStoreException("no runs of " + experimentOrRun + " in " + root
                    + DidYouMean.hint(experimentOrRun, names) + (qualified.isEmpty() ? " (the store has no runs)"
                    : " (it has runs of " + String.join(", ", qualified) + ")"));
        }
    }

    Path runsDirectory() {
        return root.resolve(RUNS);
    }

    /** The versions of an experiment that the store knows, lowest first. */
    public List<ExperimentVersion> versions(String experiment) {
        return versions.versions(experiment).stream()
                .map(version -> new ExperimentVersion(experiment, version.number(), version.fingerprint(),
                        version.source()))
                .toList();
    }

    /** Compares two runs: the source diff between their versions, changed arguments, results side by side. */
    public RunComparison compare(StoredRun before, StoredRun after) {
        return RunComparison.of(before, after);
    }

    private static void deleteTree(Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    @Override
    public String toString() {
        return "RunStore[" + root + "]";
    }
}
