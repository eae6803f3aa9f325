package dev.arrakis.processor.validation;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.InterventionRules;
import dev.arrakis.spec.InterventionRules.Location;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.Selection;
import dev.arrakis.spec.ShapeChecks;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a run's {@code @Ablate}s, {@code @Patch} and {@code @Steer} into {@link Intervention}s, checks how they are written (what
 * only an annotation can get wrong: {@code Sweep.ALL} among other values, sweeping an attribute it has not), and
 * reports the problems {@link InterventionRules} finds on the annotation value at fault.
 */
final class InterventionChecks {
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
     * One annotation, read.
     *
     * @param site where it is written
     * @param intervention what the runner passes to the runtime
     * @param attributes its int-array attributes by axis
     * @param sweepSites where each axis is swept: its element of {@code sweep}, or its {@code Sweep.ALL}
     */
    record Read(AnnotationSite site, Intervention intervention, Map<Axis, Attr> attributes,
            Map<Axis, Site> sweepSites) {}

    /**
     * A run's interventions, checked.
     *
     * @param sweepSizes points on each swept axis; -1 where only the input decides (every position)
     */
    record Checked(List<Intervention> interventions, Map<Axis, Long> sweepSizes) {}

    /** An int-array attribute as written, {@code Sweep.ALL} included. */
    record Attr(AnnotationSite site, String name, List<Integer> values) {
        boolean all() {
            return values.contains(Sweep.ALL);
        }

        List<Integer> listed() {
            return values.stream().filter(value -> value != Sweep.ALL).toList();
        }

        /** The array element of the selection's {@code element}-th value: selections leave out {@code Sweep.ALL}. */
        Site element(int element) {
            int seen = -1;
            for (int i = 0; i < values.size(); i++) {
                if (values.get(i) != Sweep.ALL && ++seen == element) {
                    return site.arrayElement(name, i);
                }
            }
            return site.attribute(name);
        }

        Site allElement() {
            return site.arrayElement(name, values.indexOf(Sweep.ALL));
        }
    }

    Read ablate(AnnotationSite site) {
        Map<Axis, Attr> attributes = attributes(site, "layer", "head", "neuron", "positions");
        Map<Axis, Site> sweepSites = sweeps(site, attributes, "Ablate");
        Intervention ablation = new Intervention.Ablation(site.string("hook"),
                selection(attributes, Axis.LAYER, sweepSites), selection(attributes, Axis.HEAD, sweepSites),
                selection(attributes, Axis.NEURON, sweepSites), selection(attributes, Axis.POSITION, sweepSites),
                AblationMethod.valueOf(site.enumName("method")));
        return new Read(site, ablation, attributes, sweepSites);
    }

    Read patch(AnnotationSite site) {
        return patch(site, "Patch");
    }

    /** A {@code @Patch} or an annotation of the same attributes, named as written ({@code AttributionPatch}). */
    Read patch(AnnotationSite site, String annotation) {
        Map<Axis, Attr> attributes = attributes(site, "layer", "head", null, "position");
        Map<Axis, Site> sweepSites = sweeps(site, attributes, annotation);
        Intervention patching = new Intervention.Patching(site.string("hook"),
                selection(attributes, Axis.LAYER, sweepSites), selection(attributes, Axis.POSITION, sweepSites),
                selection(attributes, Axis.HEAD, sweepSites), site.string("from"), site.string("into"));
        return new Read(site, patching, attributes, sweepSites);
    }

    /** {@code @Steer}: layers and positions like the others, no heads; its vector input is checked by the caller. */
    Read steer(AnnotationSite site) {
        Map<Axis, Attr> attributes = new EnumMap<>(Axis.class);
        attributes.put(Axis.LAYER, new Attr(site, "layer", site.ints("layer")));
        attributes.put(Axis.POSITION, new Attr(site, "positions", site.ints("positions")));
        Map<Axis, Site> sweepSites = new EnumMap<>(Axis.class);
        attributes.forEach((axis, attr) -> {
            if (attr.all()) {
                if (attr.values().size() > 1) {
                    report.error(Problem.of(Message.SWEEP_ALL_NOT_ALONE, attr.name()), attr.allElement());
                }
                sweepSites.put(axis, attr.allElement());
            }
        });
        double[] coefficients = site.doubles("coefficient");
        if (coefficients.length == 0) {
            report.error(Problem.of(Message.STEER_NO_COEFFICIENT), site.attribute("coefficient"));
            coefficients = new double[] {0};
        }
        Intervention steering = new Intervention.Steering(site.string("hook"),
                selection(attributes, Axis.LAYER, sweepSites), selection(attributes, Axis.POSITION, sweepSites),
                coefficients[0], site.string("vector"))
                .withCoefficients(Arrays.stream(coefficients).boxed().toList());
        return new Read(site, steering, attributes, sweepSites);
    }

    /** The run's interventions checked by the shared rules, each problem reported where it is written. */
    Checked check(List<Read> read, String runName) {
        List<Intervention> interventions = read.stream().map(Read::intervention).toList();
        InterventionRules.Checked checked = InterventionRules.check(checks, runName, interventions);
        for (InterventionRules.Located located : checked.problems()) {
            report.error(located.problem(), site(read.get(located.location().intervention()), located.location()));
        }
        Map<Axis, Long> sizes = new EnumMap<>(Axis.class);
        for (int i = 0; i < interventions.size(); i++) {
            InterventionRules.ResolvedHook hook = checked.hooks().get(i);
            interventions.get(i).sweptSelections().forEach((axis, selection) -> {
                if (selection.isGiven()) {
                    sizes.putIfAbsent(axis, size(axis, selection, hook));
                }
            });
        }
        return new Checked(interventions, sizes);
    }

    private static Site site(Read read, Location location) {
        AnnotationSite site = read.site();
        return switch (location.part()) {
            case INTERVENTION -> site.whole();
            case HOOK -> site.string("hook").isEmpty() ? site.whole() : site.attribute("hook");
            case SELECTION -> {
                Attr attr = read.attributes().get(location.axis());
                yield location.element() < 0 ? site.attribute(attr.name()) : attr.element(location.element());
            }
            case SWEEP -> read.sweepSites().getOrDefault(location.axis(),
                    site.attribute(read.attributes().get(location.axis()).name()));
        };
    }

    private static Map<Axis, Attr> attributes(AnnotationSite site, String layer, String head, String neuron,
            String position) {
        Map<Axis, Attr> byAxis = new EnumMap<>(Axis.class);
        byAxis.put(Axis.LAYER, new Attr(site, layer, site.ints(layer)));
        byAxis.put(Axis.HEAD, new Attr(site, head, site.ints(head)));
        if (neuron != null) {
            byAxis.put(Axis.NEURON, new Attr(site, neuron, site.ints(neuron)));
        }
        byAxis.put(Axis.POSITION, new Attr(site, position, site.ints(position)));
        return byAxis;
    }

    /** Where each axis is swept; reports {@code Sweep.ALL} among other values and sweeping an attribute it has not. */
    private Map<Axis, Site> sweeps(AnnotationSite site, Map<Axis, Attr> byAxis, String annotation) {
        for (Attr attr : byAxis.values()) {
            if (attr.all() && attr.values().size() > 1) {
                report.error(Problem.of(Message.SWEEP_ALL_NOT_ALONE, attr.name()), attr.allElement());
            }
        }
        Map<Axis, Site> swept = new EnumMap<>(Axis.class);
        List<String> sweep = site.enumNames("sweep");
        for (int i = 0; i < sweep.size(); i++) {
            Axis axis = Axis.valueOf(sweep.get(i));
            if (byAxis.containsKey(axis)) {
                swept.putIfAbsent(axis, site.arrayElement("sweep", i));
            } else {
                report.error(Problem.of(Message.SWEEP_AXIS_UNAVAILABLE, annotation, Intervention.axisName(axis)),
                        site.arrayElement("sweep", i));
            }
        }
        byAxis.forEach((axis, attr) -> {
            if (attr.all()) {
                swept.putIfAbsent(axis, attr.allElement());
            }
        });
        return swept;
    }

    private static Selection selection(Map<Axis, Attr> byAxis, Axis axis, Map<Axis, Site> sweepSites) {
        Attr attr = byAxis.get(axis);
        if (attr == null) {
            return Selection.none();
        }
        if (attr.all() && attr.values().size() == 1) {
            return Selection.everyIndex();
        }
        return new Selection(attr.listed(), false, sweepSites.containsKey(axis));
    }

    private long size(Axis axis, Selection selection, InterventionRules.ResolvedHook hook) {
        if (!selection.all()) {
            return selection.values().size();
        }
        if (checks.isEmpty()) {
            return -1;
        }
        var config = checks.get().config();
        return switch (axis) {
            case LAYER -> config.layers();
            case HEAD -> hook != null && hook.headDim() == Dim.KV_HEAD ? config.kvHeads() : config.heads();
            case NEURON -> config.dMlp();
            case POSITION, COEFFICIENT -> -1;
        };
    }
}
