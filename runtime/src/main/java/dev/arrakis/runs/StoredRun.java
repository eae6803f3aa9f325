package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import dev.arrakis.io.Json;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Selection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One run as the store keeps it: a directory named by the run's id holding {@code run.json} (the
 * {@link dev.arrakis.runs.RunRecord} plus the id, the version and the pictures), {@code arrays.safetensors}
 * when some arrays were too large to keep inline, the pictures under {@code plots/} and an {@code index.html} that
 * shows them with the numbers. Records are never changed once written.
 */
public final class StoredRun {
    static final String RECORD_FILE = "run.json";
    static final String PAGE_FILE = "index.html";
    /** The record format this version writes, and the newest it reads. */
    static final int FORMAT = 1;

    private final Path directory;
    private final JsonNode document;
    private final String id;
    private final String experiment;
    private final String run;
    private final int version;
    private final String fingerprint;
    private final RunStatus status;
    private final Instant startedAt;

    private StoredRun(Path directory, JsonNode document, boolean named) {
        this.directory = directory;
        this.document = document;
        this.id = text(document, "id");
        this.experiment = text(document, "experiment");
        this.run = text(document, "run");
        JsonNode versionNode = document.get("version");
        if (versionNode == null || !versionNode.canConvertToInt() || versionNode.asInt() < 1) {
            throw new RunStoreException("field 'version' is missing or not a positive whole number");
        }
        this.version = versionNode.asInt();
        this.fingerprint = text(document, "fingerprint");
        try {
            this.status = RunStatus.valueOf(text(document, "status"));
            this.startedAt = Instant.parse(text(document, "startedAt"));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new RunStoreException("field 'status' or 'startedAt' is not valid: " + e.getMessage(), e);
        }
        if (named && !id.equals(directory.getFileName().toString())) {
            throw new RunStoreException("its record names run '" + id + "', not its directory's name");
        }
        // `latest` finds the newest run by its id's start second; a record that disagrees would be found out of turn.
        if (named && !StoreNames.namesSecondOf(id, startedAt)) {
            throw new RunStoreException("field 'startedAt' (" + startedAt + ") is not in the second its id "
                    + id + " names");
        }
    }

    /**
     * Reads a run's directory.
     *
     * @throws RunStoreException naming what is wrong when the record is missing, not JSON or lacks a field
     */
    static StoredRun read(Path directory) {
        Path file = directory.resolve(RECORD_FILE);
        if (!Files.isRegularFile(file)) {
            throw new RunStoreException("no " + RECORD_FILE);
        }
        JsonNode document;
        try {
            document = Json.MAPPER.readTree(file.toFile());
        } catch (Exception e) {
            throw new RunStoreException(RECORD_FILE + " is not valid JSON: " + firstLine(e.getMessage()), e);
        }
        if (document == null || !document.isObject()) {
            throw new RunStoreException(RECORD_FILE + " is not a JSON object");
        }
        requireReadableFormat(document);
        StoredRun run = new StoredRun(directory, document, true);
        // Checked here, where it costs one look at the directory, so that a run whose arrays are gone is skipped by
        // listings and `latest` like any damaged run rather than failing only when shown.
        ArrayFiles.requireArraysFile(document, directory);
        return run;
    }

    /** Checked before any other field, since a later format may have changed any of them. */
    private static void requireReadableFormat(JsonNode document) {
        JsonNode format = document.get("format");
        if (format == null || !format.isIntegralNumber() || !format.canConvertToInt() || format.asInt() < 1) {
            throw new RunStoreException("field 'format' is missing or not a positive whole number");
        }
        if (format.asInt() > FORMAT) {
            throw new RunStoreException(RECORD_FILE + " is format " + format.asInt() + ", newer than this Arrakis reads"
                    + " (format " + FORMAT + "): a later Arrakis wrote it; upgrade Arrakis to read it");
        }
    }

    /**
     * A run whose record is in hand rather than read from disk: one being written (its directory not yet renamed to
     * its id), or one just written.
     */
    static StoredRun of(Path directory, JsonNode document) {
        return new StoredRun(directory, document, false);
    }

    private static String text(JsonNode document, String field) {
        JsonNode node = document.get(field);
        if (node == null || !node.isTextual() || node.asText().isEmpty()) {
            throw new RunStoreException("field '" + field + "' is missing or not text");
        }
        return node.asText();
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }

    public String id() {
        return id;
    }

    public String experiment() {
        return experiment;
    }

    public String run() {
        return run;
    }

    /** {@code Experiment.run}, as {@code ./arrakis list} and {@code ./arrakis run} name it. */
    public String qualifiedName() {
        return experiment + "." + run;
    }

    /** v1, v2, ... per experiment: the same source always has the same version. */
    public int version() {
        return version;
    }

    public String fingerprint() {
        return fingerprint;
    }

    public RunStatus status() {
        return status;
    }

    public Instant startedAt() {
        return startedAt;
    }

    /** When the run's last pass ended, or null in a record without it. */
    public Instant finishedAt() {
        JsonNode node = document.get("finishedAt");
        try {
            return node == null || !node.isTextual() ? null : Instant.parse(node.asText());
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The experiment class's source text as it was when the run ran. */
    public String source() {
        return document.path("source").asText("");
    }

    /**
     * The sweep's axes, empty for a single point.
     *
     * @throws RunStoreException for an axis without values, or with labels that do not match them
     */
    public List<SweepAxis> axes() {
        List<SweepAxis> axes = new ArrayList<>();
        for (JsonNode axis : document.path("axes")) {
            List<Integer> values = new ArrayList<>();
            axis.path("values").forEach(value -> values.add(value.asInt()));
            List<String> labels = new ArrayList<>();
            axis.path("labels").forEach(label -> labels.add(label.asText()));
            String name = axis.path("name").asText();
            if (values.isEmpty()) {
                throw new RunStoreException("run " + id + ": axis '" + name + "' has no values");
            }
            try {
                axes.add(new SweepAxis(name, values, labels));
            } catch (IllegalArgumentException e) {
                throw new RunStoreException("run " + id + ": " + e.getMessage(), e);
            }
        }
        return axes;
    }

    /** How many points the sweep has (finished or not). */
    public int points() {
        JsonNode results = document.path("results");
        // A sweep of more than ArrayFiles.INLINE_LIMIT numbers keeps its results in arrays.safetensors.
        return ArrayFiles.isReference(results) ? results.path("shape").path(0).asInt() : results.size();
    }

    public int completedPoints() {
        return document.path("completedPoints").asInt(points());
    }

    /**
     * Each point's coordinates, {@code {layer=1, head=3}}, row-major like the results, axes in layer, head, neuron,
     * position order. Besides the swept axes, a run of one intervention names every attribute it fixes at one value
     * (a head sweep at layer 1 has {@code layer=1} at every point), so a point has the same name whether its layer
     * was swept or fixed; with several interventions a fixed value belongs to no single axis and is left out.
     */
    public List<Map<String, Integer>> coordinates() {
        List<SweepAxis> axes = axes();
        int points = backedPoints(axes);
        Map<String, Integer> fixed = fixedCoordinates();
        List<Map<String, Integer>> coordinates = new ArrayList<>();
        for (int point = 0; point < points; point++) {
            Map<String, Integer> swept = SweepAxis.coordinates(axes, point);
            Map<String, Integer> named = new LinkedHashMap<>();
            for (Axis axis : Axis.values()) {
                String name = axisName(axis);
                Integer value = swept.containsKey(name) ? swept.get(name) : fixed.get(name);
                if (value != null) {
                    named.put(name, value);
                }
            }
            swept.forEach(named::putIfAbsent);
            coordinates.add(named);
        }
        return coordinates;
    }

    /**
     * Each point's coordinates as shown to a reader: as {@link #coordinates()}, but on an axis with labels (a swept
     * coefficient) the label of the point's index, {@code coefficient=0.5} rather than {@code coefficient=1}.
     */
    public List<Map<String, String>> labelledCoordinates() {
        Map<String, SweepAxis> labelled = new LinkedHashMap<>();
        axes().stream().filter(axis -> !axis.labels().isEmpty()).forEach(axis -> labelled.put(axis.name(), axis));
        List<Map<String, String>> points = new ArrayList<>();
        for (Map<String, Integer> point : coordinates()) {
            Map<String, String> shown = new LinkedHashMap<>();
            point.forEach((name, value) -> {
                SweepAxis axis = labelled.get(name);
                shown.put(name, axis == null ? String.valueOf(value) : axis.label(axis.values().indexOf(value)));
            });
            points.add(shown);
        }
        return points;
    }

    /** The axes that name this run's points, {@code [layer, head]}; empty for a single point. */
    public List<String> pointAxes() {
        List<Map<String, Integer>> coordinates = coordinates();
        return coordinates.isEmpty() ? List.of() : List.copyOf(coordinates.get(0).keySet());
    }

    /**
     * {@link #points()}, once checked against what backs it: the axes must have a cell for every point, and results
     * kept in the arrays file must be there in the shape the record claims. Until then the count is only a claim, and
     * the coordinates built from it would be as many as it says.
     */
    private int backedPoints(List<SweepAxis> axes) {
        JsonNode results = document.path("results");
        if (ArrayFiles.isReference(results)) {
            ArrayFiles.backedShape(results, directory);
        }
        long cells = 1;
        for (SweepAxis axis : axes) {
            cells = Math.min(Integer.MAX_VALUE, cells * axis.size());
        }
        int points = points();
        if (points > cells) {
            throw new RunStoreException("run " + id + ": its results hold " + points + " points, but its axes "
                    + axes.stream().map(SweepAxis::name).toList() + " have " + cells + " cells");
        }
        return points;
    }

    private Map<String, Integer> fixedCoordinates() {
        Map<String, Integer> fixed = new LinkedHashMap<>();
        JsonNode interventions = document.path("arguments").path("interventions");
        if (interventions.size() != 1) {
            return fixed;
        }
        for (Axis axis : Axis.values()) {
            JsonNode selection = interventions.get(0).path(axisName(axis));
            if (selection.isObject() && !selection.path("swept").asBoolean() && selection.path("values").isArray()
                    && selection.path("values").size() == 1) {
                fixed.put(axisName(axis), selection.path("values").get(0).asInt());
            }
        }
        return fixed;
    }

    /**
     * The interventions as the run applied them, overrides included: each hook as resolved (a default hook named),
     * and every selection with its values.
     *
     * @throws RunStoreException when an intervention in the record is not one this version can read
     */
    public List<Intervention> interventions() {
        JsonNode recorded = ArrayFiles.inline(document.path("arguments").path("interventions"), directory);
        List<Intervention> interventions = new ArrayList<>();
        for (JsonNode node : recorded) {
            String hook = node.path("hook").asText("");
            try {
                interventions.add(switch (node.path("kind").asText()) {
                    case "ablate" -> new Intervention.Ablation(hook, selection(node, Axis.LAYER),
                            selection(node, Axis.HEAD), selection(node, Axis.NEURON), selection(node, Axis.POSITION),
                            AblationMethod.valueOf(node.path("method").asText()));
                    case "patch" -> new Intervention.Patching(hook, selection(node, Axis.LAYER),
                            selection(node, Axis.POSITION), selection(node, Axis.HEAD), node.path("from").asText(),
                            node.path("into").asText());
                    case "steer" -> new Intervention.Steering(hook, selection(node, Axis.LAYER),
                            selection(node, Axis.POSITION), node.path("coefficient").asDouble(),
                            node.path("vector").asText(), sweptCoefficients(node));
                    default -> throw new IllegalArgumentException("kind '" + node.path("kind").asText()
                            + "' is neither ablate, patch nor steer");
                });
            } catch (IllegalArgumentException e) {
                throw new RunStoreException("run " + id + ": intervention " + node + " cannot be read: "
                        + e.getMessage(), e);
            }
        }
        return interventions;
    }

    /** A steering's {@code coefficients}, which records before coefficient sweeps do not have. */
    private static List<Double> sweptCoefficients(JsonNode steering) {
        List<Double> coefficients = new ArrayList<>();
        steering.path("coefficients").forEach(value -> coefficients.add(value.asDouble()));
        return coefficients;
    }

    private static Selection selection(JsonNode intervention, Axis axis) {
        JsonNode node = intervention.path(axisName(axis));
        if (!node.isObject()) {
            return Selection.none();
        }
        if (node.path("all").asBoolean()) {
            return Selection.everyIndex();
        }
        List<Integer> values = new ArrayList<>();
        node.path("values").forEach(value -> values.add(value.asInt()));
        return new Selection(values, false, node.path("swept").asBoolean());
    }

    /** How the record names an axis: {@code layer}, {@code head}, {@code neuron}, {@code position}. */
    private static String axisName(Axis axis) {
        return axis.name().toLowerCase(Locale.ROOT);
    }

    /** The record as written: large arrays are references into {@code arrays.safetensors}. */
    public JsonNode document() {
        return document.deepCopy();
    }

    /**
     * The record with every large array read back in place of its reference.
     *
     * @throws RunStoreException when the arrays file is missing or damaged
     */
    public JsonNode documentWithArrays() {
        return ArrayFiles.inline(document, directory);
    }

    public Path directory() {
        return directory;
    }

    /** The run's pictures (PNG and SVG), in the order the renderer wrote them. */
    public List<Path> pictures() {
        List<Path> pictures = new ArrayList<>();
        document.path("pictures").forEach(picture -> pictures.add(directory.resolve(picture.asText())));
        return pictures;
    }

    /** The page that shows the run's numbers and pictures together. */
    public Path page() {
        return directory.resolve(PAGE_FILE);
    }

    @Override
    public String toString() {
        return id + " " + qualifiedName() + " v" + version;
    }
}
