package dev.arrakis.processor.validation;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.Selection;
import dev.arrakis.spec.ShapeChecks;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * Checks one {@code @Ablate} or {@code @Patch} against the model (rules 2, 3 and the per-annotation part of 8) and
 * describes what it replaces, so the run can check its interventions against each other (rules 7 and 8).
 */
final class InterventionChecks {
    private static final String DEFAULT_HEAD_HOOK = "attn.hook_z";
    private static final String DEFAULT_NEURON_HOOK = "mlp.hook_post";

    private final Optional<ShapeChecks> checks;
    private final ValidationReport.Builder report;

    /**
     * @param checks the model's checks; empty when the model could not be resolved (its problem is reported
     *     already), and only the checks that need no shape run
     */
    InterventionChecks(Optional<ShapeChecks> checks, ValidationReport.Builder report) {
        this.checks = checks;
        this.report = report;
    }

    /**
     * One intervention, checked.
     *
     * @param annotation {@code Ablate} or {@code Patch}, for messages
     * @param site where it is written
     * @param model what the runner passes to the runtime
     * @param swept the axes it sweeps, each with the value that makes it swept
     * @param sweepSizes points on each swept axis; -1 where only the input decides (every position)
     * @param target what it replaces, or null when its hook point is unknown
     */
    record Checked(String annotation, AnnotationSite site, Intervention model, Map<Axis, Site> swept,
            Map<Axis, Long> sweepSizes, Target target) {}

    /**
     * What an intervention replaces, for finding two that replace the same activation.
     *
     * @param key the hook point's name inside a block, or its full name outside the blocks
     * @param inBlocks whether it is inside the blocks
     * @param layers the layers, or null for every layer
     * @param indexAxis {@code head} or {@code neuron} when only some indices are replaced, null for all of them
     * @param indices those indices, or null for every index of the axis
     * @param positions the positions, or null for every position (or ones only the input decides)
     */
    record Target(String key, boolean inBlocks, Set<Integer> layers, String indexAxis, Set<Integer> indices,
            Set<Integer> positions) {

        boolean overlaps(Target other) {
            return key.equals(other.key) && inBlocks == other.inBlocks && intersect(layers, other.layers)
                    && (indexAxis == null || other.indexAxis == null || !indexAxis.equals(other.indexAxis)
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
                text.append(indices == null ? " (every " + indexAxis + ")"
                        : " (" + indexAxis + (indices.size() == 1 ? " " : "s ") + join(indices) + ")");
            }
            return text.toString();
        }

        private static String join(Set<Integer> values) {
            return values.stream().map(String::valueOf).collect(Collectors.joining(", "));
        }
    }

    /** An int-array attribute. */
    private record Attr(AnnotationSite site, String name, List<Integer> values) {
        boolean given() {
            return !values.isEmpty();
        }

        boolean all() {
            return values.contains(Sweep.ALL);
        }

        List<Integer> listed() {
            return values.stream().filter(value -> value != Sweep.ALL).toList();
        }

        Site element(int index) {
            return site.arrayElement(name, index);
        }

        Site allElement() {
            return element(values.indexOf(Sweep.ALL));
        }
    }

    /** A hook point as an intervention names it, resolved against the model. */
    private record HookRef(String written, HookPoint point, String key, boolean inBlocks, int fixedLayer) {}

    Checked ablate(AnnotationSite site) {
        Attr layer = attr(site, "layer");
        Attr head = attr(site, "head");
        Attr neuron = attr(site, "neuron");
        Attr positions = attr(site, "positions");
        Map<Axis, Attr> byAxis = axes(layer, head, neuron, positions);
        Map<Axis, Site> swept = sweeps(site, byAxis, "Ablate");

        String hook = site.string("hook");
        String effective = !hook.isEmpty() ? hook : head.given() ? DEFAULT_HEAD_HOOK
                : neuron.given() ? DEFAULT_NEURON_HOOK : null;
        HookRef ref = null;
        if (effective == null) {
            report.error(Problem.of(Message.ABLATE_TARGET), site.whole());
        } else {
            ref = resolveHook(effective, hook.isEmpty() ? site.whole() : site.attribute("hook"), layer);
        }
        checkLayers(layer, ref);
        checkHeads(head, ref);
        checkNeurons(neuron, ref);
        checkPositions(positions);

        Intervention model = new Intervention.Ablation(hook, selection(layer, Axis.LAYER, swept),
                selection(head, Axis.HEAD, swept), selection(neuron, Axis.NEURON, swept),
                selection(positions, Axis.POSITION, swept),
                AblationMethod.valueOf(site.enumName("method")));
        Target target = ref == null ? null : target(ref, layer, head.given() ? head : neuron.given() ? neuron : null,
                positions);
        return new Checked("Ablate", site, model, swept, sizes(swept, byAxis, ref), target);
    }

    Checked patch(AnnotationSite site) {
        Attr layer = attr(site, "layer");
        Attr position = attr(site, "position");
        Attr head = attr(site, "head");
        Map<Axis, Attr> byAxis = axes(layer, head, null, position);
        Map<Axis, Site> swept = sweeps(site, byAxis, "Patch");

        String hook = site.string("hook");
        HookRef ref = resolveHook(hook, site.attribute("hook"), layer);
        checkLayers(layer, ref);
        checkHeads(head, ref);
        checkPositions(position);

        Intervention model = new Intervention.Patching(hook, selection(layer, Axis.LAYER, swept),
                selection(position, Axis.POSITION, swept), selection(head, Axis.HEAD, swept), site.string("from"),
                site.string("into"));
        Target target = ref == null ? null : target(ref, layer, head.given() ? head : null, position);
        return new Checked("Patch", site, model, swept, sizes(swept, byAxis, ref), target);
    }

    private static Attr attr(AnnotationSite site, String name) {
        return new Attr(site, name, site.ints(name));
    }

    private static Map<Axis, Attr> axes(Attr layer, Attr head, Attr neuron, Attr position) {
        Map<Axis, Attr> byAxis = new EnumMap<>(Axis.class);
        byAxis.put(Axis.LAYER, layer);
        byAxis.put(Axis.HEAD, head);
        if (neuron != null) {
            byAxis.put(Axis.NEURON, neuron);
        }
        byAxis.put(Axis.POSITION, position);
        return byAxis;
    }

    /** The swept axes; reports {@code Sweep.ALL} among other values and sweeps over nothing. */
    private Map<Axis, Site> sweeps(AnnotationSite site, Map<Axis, Attr> byAxis, String annotation) {
        for (Attr attr : byAxis.values()) {
            if (attr.all() && attr.values().size() > 1) {
                report.error(Problem.of(Message.SWEEP_ALL_NOT_ALONE, attr.name()), attr.allElement());
            }
        }
        Map<Axis, Site> swept = new LinkedHashMap<>();
        List<String> sweep = site.enumNames("sweep");
        for (int i = 0; i < sweep.size(); i++) {
            Axis axis = Axis.valueOf(sweep.get(i));
            Attr attr = byAxis.get(axis);
            Site where = site.arrayElement("sweep", i);
            if (attr == null) {
                report.error(Problem.of(Message.SWEEP_AXIS_UNAVAILABLE, annotation, axis.name().toLowerCase(Locale.ROOT)),
                        where);
            } else if (!attr.given()) {
                report.error(Problem.of(Message.EMPTY_SWEEP, attr.name()), where);
            } else {
                swept.putIfAbsent(axis, where);
            }
        }
        byAxis.forEach((axis, attr) -> {
            if (attr.all()) {
                swept.putIfAbsent(axis, attr.allElement());
            }
        });
        return swept;
    }

    private static Selection selection(Attr attr, Axis axis, Map<Axis, Site> swept) {
        if (attr.all()) {
            return new Selection(List.of(), true, true);
        }
        return new Selection(attr.values(), false, attr.given() && swept.containsKey(axis));
    }

    private HookRef resolveHook(String hook, Site hookSite, Attr layer) {
        if (checks.isEmpty()) {
            return null;
        }
        ShapeChecks shape = checks.get();
        Optional<Problem> problem = shape.hookAsWritten(hook);
        if (problem.isPresent()) {
            report.error(problem.get(), hookSite);
            return null;
        }
        if (shape.isBlockRelative(hook)) {
            if (!layer.given()) {
                report.error(Problem.of(Message.HOOK_NEEDS_LAYER, hook, hook), hookSite);
            }
            return new HookRef(hook, shape.point("blocks.0." + hook), hook, true, -1);
        }
        HookPoint point = shape.point(hook);
        if (point.layer() >= 0) {
            if (layer.given()) {
                report.error(Problem.of(Message.HOOK_LAYER_TWICE, hook, point.blockRelativeName()),
                        layer.site().attribute("layer"));
            }
            return new HookRef(hook, point, point.blockRelativeName(), true, point.layer());
        }
        return new HookRef(hook, point, hook, false, -1);
    }

    private void checkLayers(Attr layer, HookRef ref) {
        boolean layersApply = ref == null || (ref.inBlocks() && ref.fixedLayer() < 0);
        if (layersApply) {
            checkRange(layer, index -> checks.get().layer(index));
        }
    }

    private void checkHeads(Attr head, HookRef ref) {
        if (!head.given() || ref == null) {
            return;
        }
        List<Dim> dims = ref.point().dims();
        if (!dims.contains(Dim.HEAD) && !dims.contains(Dim.KV_HEAD)) {
            report.error(Problem.of(Message.NOT_HEAD_HOOK, ref.written(),
                    TypeDisplay.withArticle(ref.point().kind().typeName()), ref.point().dimsLabel()),
                    head.site().attribute(head.name()));
            return;
        }
        boolean kv = dims.contains(Dim.KV_HEAD);
        checkRange(head, index -> kv ? checks.get().kvHead(index) : checks.get().head(index));
    }

    private void checkNeurons(Attr neuron, HookRef ref) {
        if (!neuron.given() || ref == null) {
            return;
        }
        if (!ref.point().dims().contains(Dim.D_MLP)) {
            report.error(Problem.of(Message.NOT_NEURON_HOOK, ref.written(),
                    TypeDisplay.withArticle(ref.point().kind().typeName()), ref.point().dimsLabel()),
                    neuron.site().attribute(neuron.name()));
            return;
        }
        checkRange(neuron, index -> checks.get().neuron(index));
    }

    private void checkPositions(Attr positions) {
        checkRange(positions, index -> checks.get().position(index));
    }

    private void checkRange(Attr attr, IntFunction<Optional<Problem>> check) {
        if (checks.isEmpty()) {
            return;
        }
        for (int i = 0; i < attr.values().size(); i++) {
            int value = attr.values().get(i);
            if (value != Sweep.ALL) {
                Optional<Problem> problem = check.apply(value);
                if (problem.isPresent()) {
                    report.error(problem.get(), attr.element(i));
                }
            }
        }
    }

    private static Target target(HookRef ref, Attr layer, Attr indexed, Attr positions) {
        Set<Integer> layers;
        if (!ref.inBlocks()) {
            layers = Set.of(-1);
        } else if (ref.fixedLayer() >= 0) {
            layers = Set.of(ref.fixedLayer());
        } else {
            layers = layer.all() ? null : new LinkedHashSet<>(layer.listed());
        }
        String indexAxis = indexed == null ? null : indexed.name();
        Set<Integer> indices = indexed == null || indexed.all() ? null : new LinkedHashSet<>(indexed.listed());
        Set<Integer> atPositions = !positions.given() || positions.all()
                || positions.listed().stream().anyMatch(position -> position < 0)
                ? null : new LinkedHashSet<>(positions.listed());
        return new Target(ref.key(), ref.inBlocks(), layers, indexAxis, indices, atPositions);
    }

    private Map<Axis, Long> sizes(Map<Axis, Site> swept, Map<Axis, Attr> byAxis, HookRef ref) {
        Map<Axis, Long> sizes = new EnumMap<>(Axis.class);
        for (Axis axis : swept.keySet()) {
            Attr attr = byAxis.get(axis);
            long size;
            if (!attr.all()) {
                size = attr.listed().size();
            } else if (checks.isEmpty()) {
                size = -1;
            } else {
                var config = checks.get().config();
                size = switch (axis) {
                    case LAYER -> config.layers();
                    case HEAD -> ref != null && ref.point().dims().contains(Dim.KV_HEAD) ? config.kvHeads()
                            : config.heads();
                    case NEURON -> config.dMlp();
                    case POSITION -> -1;
                };
            }
            sizes.put(axis, size);
        }
        return sizes;
    }

    /** Checked interventions of one run, checked against each other: rules 7 and 8. */
    static void checkTogether(List<Checked> interventions, String runName, ValidationReport.Builder report) {
        Map<Axis, Checked> sweptBy = new EnumMap<>(Axis.class);
        List<Checked> earlier = new ArrayList<>();
        for (Checked intervention : interventions) {
            intervention.swept().forEach((axis, site) -> {
                if (sweptBy.containsKey(axis)) {
                    report.error(Problem.of(Message.SWEPT_TWICE, axis.name().toLowerCase(Locale.ROOT), runName), site);
                } else {
                    sweptBy.put(axis, intervention);
                }
            });
            if (intervention.target() != null) {
                for (Checked before : earlier) {
                    if (before.target() != null && before.target().overlaps(intervention.target())) {
                        report.error(Problem.of(Message.INTERVENTION_CONFLICT, intervention.annotation(),
                                intervention.target().describe(), before.annotation(), runName),
                                intervention.site().whole());
                        break;
                    }
                }
            }
            earlier.add(intervention);
        }
    }
}
