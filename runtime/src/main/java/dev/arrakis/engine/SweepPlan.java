package dev.arrakis.engine;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import dev.arrakis.runs.RowMajor;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.InterventionRules.ResolvedHook;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Selection;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * The points of a run's sweep and what each point changes. The axes are the swept selections in intervention order,
 * then layer, head, neuron, position; points are row-major over them (the first axis varies slowest), and a run with
 * no swept selection has one point.
 */
final class SweepPlan {
    private final ValidatedRun<?> run;
    private final int sequenceLength;
    private final List<PlannedAxis> axes;
    private final int points;

    /** One swept selection: whose it is and the indices it takes. */
    record PlannedAxis(int intervention, Axis axis, int[] values) {}

    /** Where a replacement comes from. */
    enum SourceKind { ZERO, MEAN, RESAMPLE, PATCH, STEER }

    /**
     * @param input the input whose unintervened activation the replacement is made from (null for zero), or for
     *     {@link SourceKind#STEER} the input whose steering vector is added
     * @param coefficient what {@link SourceKind#STEER} multiplies the vector by at this point; 0 for the others
     */
    record Source(SourceKind kind, String input, double coefficient) {

        Source(SourceKind kind, String input) {
            this(kind, input, 0);
        }
    }

    /**
     * One change at one hook point for one sweep point.
     *
     * @param positions the sequence positions it applies at (non-negative), or null for all
     * @param featureDim the axis {@code features} index ({@link Dim#HEAD}, {@link Dim#KV_HEAD} or
     *     {@link Dim#D_MLP}), or null when it replaces the whole vector at each position
     * @param features the heads or neurons, or null
     */
    record Edit(int intervention, HookPoint point, int[] positions, Dim featureDim, int[] features,
            Source source) {}

    private SweepPlan(ValidatedRun<?> run, int sequenceLength, List<PlannedAxis> axes) {
        this.run = run;
        this.sequenceLength = sequenceLength;
        this.axes = List.copyOf(axes);
        this.points = axes.stream().mapToInt(axis -> axis.values().length).reduce(1, Math::multiplyExact);
    }

    /**
     * @param inputDescription what to call the model input in messages, e.g. {@code input 'clean' of 6 tokens}
     * @throws ExperimentRunException when a position lies beyond the input
     */
    static SweepPlan of(ValidatedRun<?> run, ModelConfig config, int sequenceLength, String inputDescription) {
        List<PlannedAxis> axes = new ArrayList<>();
        for (int i = 0; i < run.interventions().size(); i++) {
            Intervention intervention = run.interventions().get(i);
            ResolvedHook hook = run.hooks().get(i);
            checkPositions(intervention.selections().get(Axis.POSITION), sequenceLength,
                    inputDescription);
            for (Map.Entry<Axis, Selection> swept : intervention.sweptSelections().entrySet()) {
                Axis axis = swept.getKey();
                Selection selection = swept.getValue();
                int[] values = selection.all()
                        ? IntStream.range(0, everyIndexCount(axis, hook, config, sequenceLength)).toArray()
                        : selection.values().stream().mapToInt(Integer::intValue).toArray();
                axes.add(new PlannedAxis(i, axis, values));
            }
        }
        return new SweepPlan(run, sequenceLength, axes);
    }

    private static int everyIndexCount(Axis axis, ResolvedHook hook, ModelConfig config, int sequenceLength) {
        return switch (axis) {
            case LAYER -> config.layers();
            case HEAD -> hook.headDim() == Dim.KV_HEAD ? config.kvHeads() : config.heads();
            case NEURON -> config.dMlp();
            case POSITION -> sequenceLength;
            case COEFFICIENT -> throw new IllegalStateException("coefficients are listed, never Sweep.ALL");
        };
    }

    private static void checkPositions(Selection positions, int sequenceLength, String inputDescription) {
        for (int position : positions.values()) {
            if (position >= sequenceLength || position < -sequenceLength) {
                throw new ExperimentRunException("position " + position + " does not exist in " + inputDescription
                        + " (positions 0.." + (sequenceLength - 1) + "; negative counts from the end)");
            }
        }
    }

    List<PlannedAxis> axes() {
        return axes;
    }

    /** The axes as records and plots show them; a coefficient axis is labelled with the coefficients it indexes. */
    List<SweepAxis> sweepAxes() {
        return axes.stream().map(axis -> {
            List<Integer> values = IntStream.of(axis.values()).boxed().toList();
            if (axis.axis() != Axis.COEFFICIENT) {
                return new SweepAxis(Intervention.axisName(axis.axis()), values);
            }
            List<Double> coefficients = ((Intervention.Steering) run.interventions().get(axis.intervention()))
                    .sweptCoefficients();
            return new SweepAxis(Intervention.axisName(axis.axis()), values,
                    values.stream().map(index -> SweepAxis.numberLabel(coefficients.get(index))).toList());
        }).toList();
    }

    int points() {
        return points;
    }

    /** The index into each axis's values of a point. */
    int[] axisIndices(int point) {
        return RowMajor.indices(point, axes.stream().mapToInt(axis -> axis.values().length).toArray());
    }

    /** The point's value on each swept axis, in the plan's axis order. */
    Map<Axis, Integer> coordinates(int point) {
        int[] indices = axisIndices(point);
        Map<Axis, Integer> coordinates = new LinkedHashMap<>();
        for (int axis = 0; axis < axes.size(); axis++) {
            coordinates.put(axes.get(axis).axis(), axes.get(axis).values()[indices[axis]]);
        }
        return coordinates;
    }

    /** Every change the point makes, in intervention order. */
    List<Edit> edits(int point) {
        int[] indices = axisIndices(point);
        List<Edit> edits = new ArrayList<>();
        for (int i = 0; i < run.interventions().size(); i++) {
            Intervention intervention = run.interventions().get(i);
            ResolvedHook hook = run.hooks().get(i);
            Map<Axis, Selection> selections = intervention.selections();
            int[] positions = normalized(selected(i, Axis.POSITION, selections.get(Axis.POSITION), indices));
            int[] heads = selected(i, Axis.HEAD, selections.get(Axis.HEAD), indices);
            Dim featureDim;
            int[] features;
            Source source;
            if (intervention instanceof Ablation a) {
                int[] neurons = selected(i, Axis.NEURON, a.neurons(), indices);
                featureDim = heads.length > 0 ? hook.headDim() : neurons.length > 0 ? Dim.D_MLP : null;
                features = heads.length > 0 ? heads : neurons.length > 0 ? neurons : null;
                source = source(a.method());
            } else if (intervention instanceof Intervention.Steering steering) {
                featureDim = null;
                features = null;
                source = new Source(SourceKind.STEER, steering.vector(), steering.sweptCoefficients().isEmpty()
                        ? steering.coefficient()
                        : steering.sweptCoefficients().get(selected(i, Axis.COEFFICIENT, Selection.sweep(), indices)[0]));
            } else {
                featureDim = heads.length > 0 ? hook.headDim() : null;
                features = heads.length > 0 ? heads : null;
                source = new Source(SourceKind.PATCH, ((Patching) intervention).from());
            }
            int[] layers = hook.blockRelative()
                    ? distinct(selected(i, Axis.LAYER, selections.get(Axis.LAYER), indices))
                    : new int[] {-1};
            for (int layer : layers) {
                edits.add(new Edit(i, hook.point(layer), positions.length == 0 ? null : positions, featureDim,
                        features, source));
            }
        }
        return edits;
    }

    private Source source(AblationMethod method) {
        return switch (method) {
            case ZERO -> new Source(SourceKind.ZERO, null);
            case MEAN -> new Source(SourceKind.MEAN, run.modelInput());
            case RESAMPLE -> new Source(SourceKind.RESAMPLE, run.modelInput());
        };
    }

    /** The indices a selection takes at a point: the point's own on a swept axis, else the listed ones. */
    private int[] selected(int intervention, Axis axis, Selection selection, int[] indices) {
        if (!selection.swept()) {
            return selection.values().stream().mapToInt(Integer::intValue).toArray();
        }
        for (int a = 0; a < axes.size(); a++) {
            PlannedAxis planned = axes.get(a);
            if (planned.intervention() == intervention && planned.axis() == axis) {
                return new int[] {planned.values()[indices[a]]};
            }
        }
        throw new IllegalStateException("no planned axis for swept " + axis + " of intervention " + intervention);
    }

    private int[] normalized(int[] positions) {
        Set<Integer> resolved = new LinkedHashSet<>();
        for (int position : positions) {
            resolved.add(position < 0 ? sequenceLength + position : position);
        }
        return resolved.stream().mapToInt(Integer::intValue).toArray();
    }

    private static int[] distinct(int[] values) {
        return IntStream.of(values).distinct().toArray();
    }
}
