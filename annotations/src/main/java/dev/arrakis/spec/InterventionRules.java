package dev.arrakis.spec;

import dev.arrakis.annotations.Axis;
import dev.arrakis.spec.Intervention.Ablation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * What a run's interventions may say, checked against the model's shape: the one set of rules that the annotation
 * processor (pointing at the annotation value at fault) and the runtime (checking command-line overrides before
 * anything loads) both apply, so a mistake reads the same wherever it is caught.
 */
public final class InterventionRules {
    /** What {@code @Ablate(head = ...)} replaces when it names no hook. */
    public static final String DEFAULT_HEAD_HOOK = "attn.hook_z";
    /** What {@code @Ablate(neuron = ...)} replaces when it names no hook. */
    public static final String DEFAULT_NEURON_HOOK = "mlp.hook_post";

    private InterventionRules() {}

    /** Which part of an intervention a problem is about. */
    public enum Part {
        /** The intervention as a whole. */
        INTERVENTION,
        /** Its hook, or (when it names none) the default it falls back to. */
        HOOK,
        /** The selection on {@link Location#axis()}: one element of it, or all of it. */
        SELECTION,
        /** That the selection on {@link Location#axis()} is swept. */
        SWEEP
    }

    /**
     * Where a problem is.
     *
     * @param intervention the intervention's index in the run's list
     * @param part what of it
     * @param axis the selection's axis for {@link Part#SELECTION} and {@link Part#SWEEP}, else null
     * @param element the index into the selection's values, or -1 for the selection as a whole
     */
    public record Location(int intervention, Part part, Axis axis, int element) {}

    /** One problem and where it is. */
    public record Located(Problem problem, Location location) {}

    /**
     * An intervention's hook, resolved against the model once, so that the engine edits hook points rather than
     * names it would have to build and parse again.
     *
     * @param written the name as written, or the default it falls back to
     * @param blockRelative whether it names a point inside each block of the intervention's layers
     * @param points for a block-relative name the point in each block, by layer; otherwise the one point named
     */
    public record ResolvedHook(String written, boolean blockRelative, List<HookPoint> points) {

        public ResolvedHook {
            points = List.copyOf(points);
            if (points.isEmpty() || (!blockRelative && points.size() != 1)) {
                throw new IllegalArgumentException(written + " resolves to " + points.size() + " points");
            }
        }

        /** The point itself, or for a block-relative name its point in block 0 (same axes in every block). */
        public HookPoint point() {
            return points.get(0);
        }

        /** The point in that layer; a full name ignores the layer, as {@code @Ablate(layer)} documents. */
        public HookPoint point(int layer) {
            return blockRelative ? points.get(layer) : points.get(0);
        }

        /** The head axis the point has ({@link Dim#HEAD} or {@link Dim#KV_HEAD}), or null. */
        public Dim headDim() {
            return point().dims().contains(Dim.HEAD) ? Dim.HEAD
                    : point().dims().contains(Dim.KV_HEAD) ? Dim.KV_HEAD : null;
        }

        /** The sequence axis ({@link Dim#POS}, or {@link Dim#QUERY_POS} for scores and pattern), or null. */
        public Dim positionDim() {
            return point().dims().contains(Dim.POS) ? Dim.POS
                    : point().dims().contains(Dim.QUERY_POS) ? Dim.QUERY_POS : null;
        }
    }

    /**
     * The outcome of checking a run's interventions.
     *
     * @param problems every problem found, in the order of the interventions
     * @param hooks each intervention's resolved hook, null where it could not be resolved (or no model was given)
     */
    public record Checked(List<Located> problems, List<ResolvedHook> hooks) {}

    /** The hook an intervention replaces at: the one it names, else an ablation's default; empty when it has none. */
    public static String effectiveHook(Intervention intervention) {
        if (!intervention.hook().isEmpty() || !(intervention instanceof Ablation ablation)) {
            return intervention.hook();
        }
        return ablation.heads().isGiven() ? DEFAULT_HEAD_HOOK
                : ablation.neurons().isGiven() ? DEFAULT_NEURON_HOOK : "";
    }

    /**
     * Every problem of a run's interventions.
     *
     * @param checks the model's checks; empty when the model is unknown (its own problem is reported elsewhere), and
     *     then only the rules that need no shape apply
     * @param runName what messages call the run
     */
    public static Checked check(Optional<ShapeChecks> checks, String runName, List<Intervention> interventions) {
        List<Located> problems = new ArrayList<>();
        List<ResolvedHook> hooks = new ArrayList<>();
        for (int i = 0; i < interventions.size(); i++) {
            hooks.add(new One(i, interventions.get(i), checks, problems).check());
        }
        checkTogether(runName, interventions, hooks, problems);
        return new Checked(List.copyOf(problems), Collections.unmodifiableList(hooks));
    }

    /** The rules of one intervention on its own. */
    private record One(int index, Intervention intervention, Optional<ShapeChecks> checks, List<Located> problems) {

        ResolvedHook check() {
            intervention.selections().forEach((axis, selection) -> {
                if (selection.swept() && !selection.isGiven()) {
                    report(Problem.of(Message.EMPTY_SWEEP, intervention.attribute(axis)), Part.SWEEP, axis, -1);
                }
            });
            Map<Axis, Selection> selections = intervention.selections();
            boolean heads = selections.get(Axis.HEAD).isGiven();
            boolean neurons = selections.containsKey(Axis.NEURON) && selections.get(Axis.NEURON).isGiven();
            if (heads && neurons) {
                report(Problem.of(Message.ABLATE_HEADS_AND_NEURONS), Part.SELECTION, Axis.NEURON, -1);
            }
            String hook = effectiveHook(intervention);
            ResolvedHook resolved = null;
            if (hook.isEmpty()) {
                report(Problem.of(intervention instanceof Ablation ? Message.ABLATE_TARGET : Message.PATCH_TARGET),
                        intervention instanceof Ablation ? Part.INTERVENTION : Part.HOOK, null, -1);
            } else {
                resolved = resolve(hook, selections.get(Axis.LAYER));
            }
            if (intervention instanceof Intervention.Steering steering) {
                SteeringRules.checkIntervention(steering, resolved).ifPresent(problem -> report(problem,
                        problem.message() == Message.STEER_HOOK ? Part.HOOK : Part.INTERVENTION, null, -1));
            }
            if (checks.isEmpty()) {
                return resolved;
            }
            ShapeChecks shape = checks.get();
            boolean layersApply = resolved == null || resolved.blockRelative();
            if (layersApply) {
                checkRange(Axis.LAYER, shape::layer);
            }
            if (heads && resolved != null) {
                Dim headDim = resolved.headDim();
                if (headDim == null) {
                    report(notAxisHook(Message.NOT_HEAD_HOOK, resolved), Part.SELECTION, Axis.HEAD, -1);
                } else {
                    checkRange(Axis.HEAD, headDim == Dim.KV_HEAD ? shape::kvHead : shape::head);
                }
            }
            if (neurons && !heads && resolved != null) {
                if (!resolved.point().dims().contains(Dim.D_MLP)) {
                    report(notAxisHook(Message.NOT_NEURON_HOOK, resolved), Part.SELECTION, Axis.NEURON, -1);
                } else {
                    checkRange(Axis.NEURON, shape::neuron);
                }
            }
            if (selections.get(Axis.POSITION).isGiven() && resolved != null && resolved.positionDim() == null) {
                report(notAxisHook(Message.NOT_POSITION_HOOK, resolved), Part.SELECTION, Axis.POSITION, -1);
            } else {
                checkRange(Axis.POSITION, shape::position);
            }
            return resolved;
        }

        /**
         * The hook, or null after reporting why not: unknown (with the nearest names), not in this architecture,
         * inside each block without a layer, or naming its layer as well as being given one.
         */
        private ResolvedHook resolve(String hook, Selection layers) {
            if (checks.isEmpty()) {
                return null;
            }
            ShapeChecks shape = checks.get();
            Optional<Problem> problem = shape.hookAsWritten(hook);
            if (problem.isPresent()) {
                report(problem.get(), Part.HOOK, null, -1);
                return null;
            }
            if (shape.isBlockRelative(hook)) {
                if (!layers.isGiven()) {
                    report(Problem.of(Message.HOOK_NEEDS_LAYER, hook, hook), Part.HOOK, null, -1);
                }
                return new ResolvedHook(hook, true, shape.hookPoints().inEachBlock(hook));
            }
            HookPoint point = shape.point(hook);
            if (point.layer() >= 0 && layers.isGiven()) {
                report(Problem.of(Message.HOOK_LAYER_TWICE, hook, point.blockRelativeName()), Part.SELECTION,
                        Axis.LAYER, -1);
            }
            return new ResolvedHook(hook, false, List.of(point));
        }

        private static Problem notAxisHook(Message message, ResolvedHook hook) {
            return Problem.of(message, hook.written(), Message.withArticle(hook.point().kind().typeName()),
                    hook.point().dimsLabel());
        }

        private void checkRange(Axis axis, IntFunction<Optional<Problem>> check) {
            List<Integer> values = intervention.selections().get(axis).values();
            for (int element = 0; element < values.size(); element++) {
                int position = element;
                check.apply(values.get(element))
                        .ifPresent(problem -> report(problem, Part.SELECTION, axis, position));
            }
        }

        private void report(Problem problem, Part part, Axis axis, int element) {
            problems.add(new Located(problem, new Location(index, part, axis, element)));
        }
    }

    /** One intervention sweeps each axis, and no two replace the same activation. */
    private static void checkTogether(String runName, List<Intervention> interventions, List<ResolvedHook> hooks,
            List<Located> problems) {
        Set<Axis> swept = EnumSet.noneOf(Axis.class);
        List<Target> earlier = new ArrayList<>();
        for (int i = 0; i < interventions.size(); i++) {
            Intervention intervention = interventions.get(i);
            for (Map.Entry<Axis, Selection> axis : intervention.sweptSelections().entrySet()) {
                if (axis.getValue().isGiven() && !swept.add(axis.getKey())) {
                    problems.add(new Located(Problem.of(Message.SWEPT_TWICE, Intervention.axisName(axis.getKey()),
                            runName), new Location(i, Part.SWEEP, axis.getKey(), -1)));
                }
            }
            Target target = hooks.get(i) == null ? null : Target.of(intervention, hooks.get(i));
            if (target != null) {
                for (Target before : earlier) {
                    if (before.overlaps(target)) {
                        problems.add(new Located(Problem.of(Message.INTERVENTION_CONFLICT, intervention.annotation(),
                                target.describe(), before.intervention().annotation(), runName),
                                new Location(i, Part.INTERVENTION, null, -1)));
                        break;
                    }
                }
                earlier.add(target);
            }
        }
    }

    /**
     * What an intervention replaces, for finding two that replace the same activation.
     *
     * @param key the hook point's name inside a block, or its full name outside the blocks
     * @param inBlocks whether it is inside the blocks
     * @param layers the layers, or null for every layer
     * @param indexAxis the axis when only some heads or neurons are replaced, null for the whole activation
     * @param indices those indices, or null for every index of the axis
     * @param positions the positions, or null for every position (or ones only the input decides)
     */
    private record Target(Intervention intervention, String key, boolean inBlocks, Set<Integer> layers,
            Axis indexAxis, Set<Integer> indices, Set<Integer> positions) {

        static Target of(Intervention intervention, ResolvedHook hook) {
            Map<Axis, Selection> selections = intervention.selections();
            boolean inBlocks = hook.point().layer() >= 0;
            Set<Integer> layers;
            if (!inBlocks) {
                layers = Set.of(-1);
            } else if (!hook.blockRelative()) {
                layers = Set.of(hook.point().layer());
            } else {
                layers = selections.get(Axis.LAYER).all() ? null : new LinkedHashSet<>(selections.get(Axis.LAYER)
                        .values());
            }
            Axis indexAxis = selections.get(Axis.HEAD).isGiven() ? Axis.HEAD
                    : selections.containsKey(Axis.NEURON) && selections.get(Axis.NEURON).isGiven() ? Axis.NEURON
                    : null;
            Set<Integer> indices = indexAxis == null || selections.get(indexAxis).all() ? null
                    : new LinkedHashSet<>(selections.get(indexAxis).values());
            Selection positions = selections.get(Axis.POSITION);
            Set<Integer> atPositions = !positions.isGiven() || positions.all()
                    || positions.values().stream().anyMatch(position -> position < 0)
                    ? null : new LinkedHashSet<>(positions.values());
            return new Target(intervention, hook.point().blockRelativeName(), inBlocks, layers, indexAxis, indices,
                    atPositions);
        }

        boolean overlaps(Target other) {
            return key.equals(other.key) && inBlocks == other.inBlocks && intersect(layers, other.layers)
                    && (indexAxis == null || other.indexAxis == null || indexAxis != other.indexAxis
                            || intersect(indices, other.indices))
                    && intersect(positions, other.positions);
        }

        private static boolean intersect(Set<Integer> a, Set<Integer> b) {
            return a == null || b == null || a.stream().anyMatch(b::contains);
        }

        String describe() {
            StringBuilder text = new StringBuilder(key);
            if (inBlocks) {
                text.append(layers == null ? " in every layer" : (layers.size() == 1 ? " in layer " : " in layers ")
                        + join(layers));
            }
            if (indexAxis != null) {
                String axis = Intervention.axisName(indexAxis);
                text.append(indices == null ? " (every " + axis + ")"
                        : " (" + axis + (indices.size() == 1 ? " " : "s ") + join(indices) + ")");
            }
            return text.toString();
        }

        private static String join(Set<Integer> values) {
            return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
        }
    }
}
