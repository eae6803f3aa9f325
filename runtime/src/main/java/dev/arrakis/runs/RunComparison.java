package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.difflib.DiffUtils;
import com.github.difflib.UnifiedDiffUtils;
import com.github.difflib.patch.Patch;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What differs between two runs: the source between their versions (a unified diff), the arguments, the settings
 * that shape the numbers (model, weights, seed, software, working tree) and every result side by side, matched by
 * the point's coordinates ({@link StoredRun#coordinates}) so that sweeps over different ranges still line up. Points
 * are paired only when both runs name them by the same axes: a layer x head sweep against a single point would pair
 * nothing meaningful, so then each run's results are listed on their own.
 *
 * @param before the first run named
 * @param after the second
 * @param sourceDiff unified diff lines from {@code before}'s source to {@code after}'s; empty when they are one version
 * @param arguments changed arguments, by JSON path ({@code overrides.layer}, {@code inputs.prompts.tokens})
 * @param settings changed model, seed, status and environment fields, by JSON path
 * @param results one row per point of either run: paired by coordinates, or when {@code resultsPaired} is false,
 *     the first run's points (only {@code before} set) followed by the second's (only {@code after} set), where a
 *     point the run did not reach holds a JSON null
 * @param resultsPaired whether the runs' points are named by the same axes, so that rows pair them
 */
public record RunComparison(
        StoredRun before,
        StoredRun after,
        List<String> sourceDiff,
        List<Change> arguments,
        List<Change> settings,
        List<ResultRow> results,
        boolean resultsPaired) {

    private static final int CONTEXT_LINES = 3;
    private static final int SHOWN_ARRAY_VALUES = 6;
    private static final List<String> SETTINGS = List.of("model", "seed", "status", "completedPoints", "environment");

    public RunComparison {
        sourceDiff = List.copyOf(sourceDiff);
        arguments = List.copyOf(arguments);
        settings = List.copyOf(settings);
        results = List.copyOf(results);
    }

    /**
     * One value that differs.
     *
     * @param path where it is in the record, dotted
     * @param before its value in the first run, as compact text, or null where the first run lacks it
     * @param after its value in the second, or null where the second lacks it
     */
    public record Change(String path, String before, String after) {}

    /**
     * One point's result in each run.
     *
     * @param point the coordinates ({@code layer=1 head=3}), empty for a run of one point
     * @param before the first run's result, or null where it has no such point (or did not reach it)
     * @param after the second run's
     * @param difference {@code after - before} when both are numbers, else null
     * @param maxAbsoluteDifference the largest {@code |after - before|} when both are arrays of one shape (or
     *     numbers), else null
     */
    public record ResultRow(String point, JsonNode before, JsonNode after, Double difference,
            Double maxAbsoluteDifference) {
        public boolean changed() {
            return before == null || after == null || !before.equals(after);
        }
    }

    /** The runs compared with large arrays read back, so arrays compare by value. */
    static RunComparison of(StoredRun before, StoredRun after) {
        JsonNode first = before.documentWithArrays();
        JsonNode second = after.documentWithArrays();
        List<String> sourceDiff = before.fingerprint().equals(after.fingerprint()) ? List.of()
                : sourceDiff(before, after);
        List<Change> arguments = changes(first.path("arguments"), second.path("arguments"), "");
        List<Change> settings = new ArrayList<>();
        for (String field : SETTINGS) {
            settings.addAll(changes(first.path(field), second.path(field), field));
        }
        boolean paired = Set.copyOf(before.pointAxes()).equals(Set.copyOf(after.pointAxes()));
        List<ResultRow> results = paired ? pairedResults(before, first, after, second)
                : unpairedResults(before, first, after, second);
        return new RunComparison(before, after, sourceDiff, arguments, settings, results, paired);
    }

    /** Whether both runs are of one run method ({@code Heads.eachHead}); if not, they measure different things. */
    public boolean sameRun() {
        return before.qualifiedName().equals(after.qualifiedName());
    }

    /** Whether both runs ran the same source on the same settings with the same arguments. */
    public boolean sameSetup() {
        return sourceDiff.isEmpty() && arguments.isEmpty() && settings.stream()
                .allMatch(change -> change.path().startsWith("environment."));
    }

    private static List<String> sourceDiff(StoredRun before, StoredRun after) {
        List<String> original = before.source().lines().toList();
        List<String> revised = after.source().lines().toList();
        Patch<String> patch = DiffUtils.diff(original, revised);
        return UnifiedDiffUtils.generateUnifiedDiff(
                before.experiment() + " v" + before.version() + " (" + before.id() + ")",
                after.experiment() + " v" + after.version() + " (" + after.id() + ")",
                original, patch, CONTEXT_LINES);
    }

    private static List<Change> changes(JsonNode before, JsonNode after, String prefix) {
        Map<String, JsonNode> first = new LinkedHashMap<>();
        Map<String, JsonNode> second = new LinkedHashMap<>();
        flatten(before, prefix, first);
        flatten(after, prefix, second);
        Set<String> paths = new LinkedHashSet<>(first.keySet());
        paths.addAll(second.keySet());
        List<Change> changes = new ArrayList<>();
        for (String path : paths) {
            JsonNode a = first.get(path);
            JsonNode b = second.get(path);
            if (a == null || b == null || !a.equals(b)) {
                changes.add(new Change(path, describe(a, b), describe(b, a)));
            }
        }
        return changes;
    }

    /**
     * Leaves by dotted path; arrays of numbers count as one leaf, so a changed tensor is one change. An empty object
     * or array is no leaf: {@code overrides: {}} and no overrides at all say the same, and listing the empty parent
     * beside a child the other run has would name one change twice.
     */
    private static void flatten(JsonNode node, String path, Map<String, JsonNode> leaves) {
        if (node.isMissingNode() || node.isContainerNode() && node.isEmpty()) {
            return;
        }
        if (node.isObject()) {
            node.fields().forEachRemaining(field -> flatten(field.getValue(),
                    path.isEmpty() ? field.getKey() : path + "." + field.getKey(), leaves));
        } else if (node.isArray() && !isNumeric(node)) {
            for (int i = 0; i < node.size(); i++) {
                flatten(node.get(i), path + "[" + i + "]", leaves);
            }
        } else {
            leaves.put(path, node);
        }
    }

    private static List<ResultRow> unpairedResults(StoredRun before, JsonNode first, StoredRun after,
            JsonNode second) {
        List<ResultRow> rows = new ArrayList<>();
        byPoint(before, first).forEach((point, value) -> rows.add(new ResultRow(point, value, null, null, null)));
        byPoint(after, second).forEach((point, value) -> rows.add(new ResultRow(point, null, value, null, null)));
        return rows;
    }

    private static List<ResultRow> pairedResults(StoredRun before, JsonNode first, StoredRun after,
            JsonNode second) {
        Map<String, JsonNode> a = byPoint(before, first);
        Map<String, JsonNode> b = byPoint(after, second);
        Set<String> points = new LinkedHashSet<>(a.keySet());
        points.addAll(b.keySet());
        List<ResultRow> rows = new ArrayList<>();
        for (String point : points) {
            JsonNode x = nullIfAbsent(a.get(point));
            JsonNode y = nullIfAbsent(b.get(point));
            Double difference = x != null && y != null && x.isNumber() && y.isNumber()
                    ? y.doubleValue() - x.doubleValue() : null;
            rows.add(new ResultRow(point, x, y, difference, maxAbsoluteDifference(x, y)));
        }
        return rows;
    }

    /** Results by point name, {@code layer=1 head=3}, as {@link StoredRun#coordinates} names the points. */
    private static Map<String, JsonNode> byPoint(StoredRun run, JsonNode document) {
        List<Map<String, Integer>> coordinates = run.coordinates();
        Map<String, JsonNode> values = new LinkedHashMap<>();
        JsonNode results = document.path("results");
        for (int point = 0; point < results.size(); point++) {
            String name = coordinates.get(point).entrySet().stream()
                    .map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining(" "));
            values.put(name, results.get(point));
        }
        return values;
    }

    private static JsonNode nullIfAbsent(JsonNode node) {
        return node == null || node.isNull() ? null : node;
    }

    private static Double maxAbsoluteDifference(JsonNode before, JsonNode after) {
        if (before == null || after == null) {
            return null;
        }
        List<Double> x = numbers(before);
        List<Double> y = numbers(after);
        if (x == null || y == null || x.size() != y.size() || !shape(before).equals(shape(after))) {
            return null;
        }
        double max = 0;
        for (int i = 0; i < x.size(); i++) {
            max = Math.max(max, Math.abs(y.get(i) - x.get(i)));
        }
        return max;
    }

    /** A result's numbers: itself, an array's, or an {@code {type, shape, values}} object's; null for anything else. */
    private static List<Double> numbers(JsonNode node) {
        JsonNode values = node.isObject() ? node.path("values") : node;
        if (values.isNumber()) {
            return List.of(values.doubleValue());
        }
        if (!values.isArray() || !isNumeric(values)) {
            return null;
        }
        List<JsonNode> leaves = new ArrayList<>();
        ArrayFiles.flatten(values, leaves);
        return leaves.stream().map(JsonNode::doubleValue).toList();
    }

    private static String shape(JsonNode node) {
        return node.isObject() ? node.path("shape").toString() : String.valueOf(numbers(node).size());
    }

    private static boolean isNumeric(JsonNode node) {
        if (node.isArray()) {
            if (node.isEmpty()) {
                return false;
            }
            for (JsonNode element : node) {
                if (!isNumeric(element)) {
                    return false;
                }
            }
            return true;
        }
        return node.isNumber();
    }

    /** Compact text; a long array shows its length, first values and the largest difference from the other side. */
    private static String describe(JsonNode node, JsonNode other) {
        if (node == null) {
            return null;
        }
        List<Double> numbers = node.isArray() ? numbers(node) : null;
        if (numbers != null && numbers.size() > SHOWN_ARRAY_VALUES) {
            String head = numbers.stream().limit(SHOWN_ARRAY_VALUES).map(RunComparison::number)
                    .collect(Collectors.joining(", "));
            Double max = other == null ? null : maxAbsoluteDifference(node, other);
            return numbers.size() + " numbers [" + head + ", ...]"
                    + (max == null ? "" : " (max |difference| " + number(max) + ")");
        }
        return node.isTextual() ? node.asText() : node.toString();
    }

    private static String number(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? String.valueOf((long) value)
                : String.format(java.util.Locale.ROOT, "%.6g", value);
    }
}
