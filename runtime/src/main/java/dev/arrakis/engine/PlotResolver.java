package dev.arrakis.engine;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.plot.PlotRequest.Panel;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RowMajor;
import dev.arrakis.runs.SweepAxis;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Decides how a run's result is drawn and lays its numbers out for a renderer. The data is the sweep's axes followed
 * by the result's own axes (none for a number); the last two become a panel's rows and columns and any before them
 * split it into panels.
 */
final class PlotResolver {
    private PlotResolver() {}

    private record DataAxis(String label, List<String> ticks) {}

    /** Axes whose ticks are sequence positions: labelled with the token there when it is known. */
    private static final java.util.Set<String> POSITION_AXES = java.util.Set.of("position", "pos", "query_pos",
            "key_pos");

    /** As {@link #resolve(RunDefinition.PlotSpec, String, List, List, List)} with positions labelled by number. */
    static PlotRequest resolve(RunDefinition.PlotSpec spec, String runName, List<SweepAxis> sweep,
            List<Object> values) {
        return resolve(spec, runName, sweep, values, List.of());
    }

    /**
     * The plot, or null without {@code @Plot} or when the results are not numbers, or arrays of one shape, at every
     * point.
     *
     * @param positionTokens the input's token at each position as text, or null where it is unknown (rows of the
     *     batch differ there); empty when the model has no tokenizer. A position axis ({@code position}, {@code pos},
     *     {@code query_pos}, {@code key_pos}) is ticked with these tokens, falling back to the number where null.
     */
    static PlotRequest resolve(RunDefinition.PlotSpec spec, String runName, List<SweepAxis> sweep,
            List<Object> values, List<String> positionTokens) {
        if (spec == null || values.isEmpty()) {
            return null;
        }
        List<DataAxis> axes = new ArrayList<>();
        sweep.forEach(axis -> axes.add(new DataAxis(axis.name(), axis.labels().isEmpty()
                ? ticks(axis.name(), axis.values(), positionTokens) : axis.labels())));
        double[] data;
        String elementType;
        // An interrupted run has no result at the points it did not reach: drawn as missing (NaN), not as zero.
        List<Object> present = values.stream().filter(java.util.Objects::nonNull).toList();
        if (present.isEmpty()) {
            return null;
        }
        if (present.stream().allMatch(Number.class::isInstance)) {
            data = values.stream().mapToDouble(value -> value == null ? Double.NaN : ((Number) value).doubleValue())
                    .toArray();
            elementType = null;
        } else if (present.stream().allMatch(ArrayValue.class::isInstance) && sameShape(present)) {
            ArrayValue first = (ArrayValue) present.get(0);
            elementType = first.type();
            List<String> labels = axisLabels(first.type(), first.rank());
            for (int axis = 0; axis < first.rank(); axis++) {
                axes.add(new DataAxis(labels.get(axis), ticks(labels.get(axis),
                        IntStream.range(0, (int) first.shape()[axis]).boxed().toList(), positionTokens)));
            }
            double[] missing = new double[first.values().length];
            Arrays.fill(missing, Double.NaN);
            data = values.stream().flatMapToDouble(value -> Arrays.stream(value == null ? missing
                    : ((ArrayValue) value).values())).toArray();
        } else {
            return null;
        }
        PlotKind kind = spec.kind() != PlotKind.AUTO ? spec.kind() : chooseKind(axes, elementType);
        String title = spec.title().isEmpty() ? runName : spec.title();
        return layOut(kind, title, axes, data, runName);
    }

    /**
     * The tick labels of an axis over {@code indices}: on a position axis the token at each position (a negative one
     * counting from the end, as sweeps allow), elsewhere or where the token is unknown the number.
     */
    private static List<String> ticks(String axis, List<Integer> indices, List<String> positionTokens) {
        if (!POSITION_AXES.contains(axis)) {
            return indices.stream().map(String::valueOf).toList();
        }
        int length = positionTokens.size();
        return indices.stream().map(index -> {
            int position = index < 0 ? length + index : index;
            String token = position >= 0 && position < length ? positionTokens.get(position) : null;
            return token != null ? token : String.valueOf(index);
        }).toList();
    }

    private static PlotKind chooseKind(List<DataAxis> axes, String elementType) {
        if ("AttentionPattern".equals(elementType)) {
            return PlotKind.ATTENTION;
        }
        if (axes.size() >= 2) {
            return PlotKind.HEATMAP;
        }
        if (axes.isEmpty()) {
            return PlotKind.BAR;
        }
        String only = axes.get(0).label();
        return elementType == null && (only.equals("head") || only.equals("neuron")) ? PlotKind.BAR : PlotKind.LINE;
    }

    private static PlotRequest layOut(PlotKind kind, String title, List<DataAxis> axes, double[] data,
            String runName) {
        if (axes.isEmpty()) {
            return new PlotRequest(kind, title, "", "", List.of(), List.of(runName),
                    List.of(new Panel("", new double[][] {{data[0]}})));
        }
        if (axes.size() == 1) {
            DataAxis columns = axes.get(0);
            return new PlotRequest(kind, title, "", columns.label(), List.of(), columns.ticks(),
                    List.of(new Panel("", new double[][] {data.clone()})));
        }
        DataAxis rows = axes.get(axes.size() - 2);
        DataAxis columns = axes.get(axes.size() - 1);
        List<DataAxis> leading = axes.subList(0, axes.size() - 2);
        int panelSize = rows.ticks().size() * columns.ticks().size();
        int panelCount = panelSize == 0 ? 0 : data.length / panelSize;
        List<Panel> panels = new ArrayList<>();
        for (int panel = 0; panel < panelCount; panel++) {
            double[][] matrix = new double[rows.ticks().size()][columns.ticks().size()];
            for (int row = 0; row < matrix.length; row++) {
                System.arraycopy(data, panel * panelSize + row * matrix[row].length, matrix[row], 0,
                        matrix[row].length);
            }
            panels.add(new Panel(panelTitle(leading, panel), matrix));
        }
        return new PlotRequest(kind, title, rows.label(), columns.label(), rows.ticks(), columns.ticks(), panels);
    }

    /** The coordinates of panel {@code index} on the leading axes, e.g. {@code layer=1, batch=0}. */
    private static String panelTitle(List<DataAxis> leading, int index) {
        int[] indices = RowMajor.indices(index, leading.stream().mapToInt(axis -> axis.ticks().size()).toArray());
        String[] parts = new String[leading.size()];
        for (int axis = 0; axis < leading.size(); axis++) {
            parts[axis] = leading.get(axis).label() + "=" + leading.get(axis).ticks().get(indices[axis]);
        }
        return String.join(", ", parts);
    }

    private static boolean sameShape(List<Object> values) {
        long[] first = ((ArrayValue) values.get(0)).shape();
        String type = ((ArrayValue) values.get(0)).type();
        return values.stream().allMatch(value -> Arrays.equals(((ArrayValue) value).shape(), first)
                && ((ArrayValue) value).type().equals(type));
    }

    /** Axis names of a result: an activation's own, else {@code index} for a vector, {@code row, column} for a matrix. */
    private static List<String> axisLabels(String type, int rank) {
        List<String> known = switch (type) {
            case "Residual" -> List.of("batch", "pos", "d_model");
            case "HeadVectors" -> List.of("batch", "pos", "head", "d_head");
            case "AttentionPattern" -> List.of("batch", "head", "query_pos", "key_pos");
            case "Neurons" -> List.of("batch", "pos", "d_mlp");
            case "NormScale" -> List.of("batch", "pos", "1");
            case "HeadResults" -> List.of("batch", "pos", "head", "d_model");
            case "Logits" -> List.of("batch", "pos", "d_vocab");
            case "HeadScores" -> List.of("layer", "head");
            case "CompositionScores" -> List.of("layer", "head", "later layer", "later head");
            case "CausalTraceMap" -> List.of("layer", "pos");
            default -> List.of();
        };
        if (known.size() == rank) {
            return known;
        }
        if (rank == 1) {
            return List.of("index");
        }
        if (rank == 2) {
            return List.of("row", "column");
        }
        return IntStream.range(0, rank).mapToObj(axis -> "axis" + axis).toList();
    }
}
