package dev.arrakis.experiment;

import dev.arrakis.annotations.Axis;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.Selection;
import dev.arrakis.spec.ShapeChecks;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.IntFunction;

/**
 * Checks a run and its overrides against the shape the experiment was built for, with the same checks (and the same
 * messages) as the annotation processor. Needs no model, so a bad override fails before anything loads.
 */
final class RunValidation {
    static final String DEFAULT_HEAD_HOOK = "attn.hook_z";
    static final String DEFAULT_NEURON_HOOK = "mlp.hook_post";

    private final ExperimentDefinition experiment;
    private final ShapeChecks checks;
    private final List<String> problems = new ArrayList<>();

    private RunValidation(ExperimentDefinition experiment) {
        this.experiment = experiment;
        this.checks = new ShapeChecks(experiment.model().displayName(), experiment.shape());
    }

    /**
     * The run as it will execute.
     *
     * @throws ExperimentDefinitionException with every problem found
     */
    static ValidatedRun validate(ExperimentDefinition experiment, RunDefinition run, Map<String, String> overrides) {
        return new RunValidation(experiment).check(run, overrides);
    }

    private ValidatedRun check(RunDefinition run, Map<String, String> overrides) {
        Overrides.Applied applied = Overrides.apply(run.name(), run.interventions(), overrides);
        problems.addAll(applied.problems());
        List<Intervention> interventions = applied.interventions();
        List<String> labels = Overrides.labels(interventions);
        List<ResolvedHook> hooks = new ArrayList<>();
        Map<Axis, String> sweptBy = new EnumMap<>(Axis.class);
        for (int i = 0; i < interventions.size(); i++) {
            String label = labels.get(i);
            Intervention intervention = interventions.get(i);
            hooks.add(intervention instanceof Ablation ablation ? checkAblation(label, ablation)
                    : checkPatch(label, (Patching) intervention));
            sweptAxes(interventions.get(i)).forEach((axis, selection) -> {
                String earlier = sweptBy.putIfAbsent(axis, label);
                if (earlier != null) {
                    problems.add(Message.BAD_OVERRIDE.format(earlier + " and " + label + " both sweep "
                            + axisName(axis) + "; a run has one " + axisName(axis) + " axis"));
                }
            });
        }
        for (String capture : run.captures()) {
            checks.hook(capture).ifPresent(problem -> problems.add(problem.text()));
        }
        String modelInput = modelInput(run, interventions);
        if (!problems.isEmpty()) {
            throw new ExperimentDefinitionException(problems);
        }
        return new ValidatedRun(run, interventions, hooks, labels, modelInput,
                Collections.unmodifiableMap(new LinkedHashMap<>(overrides)));
    }

    static String axisName(Axis axis) {
        return axis.name().toLowerCase(Locale.ROOT);
    }

    /** The swept selections of an intervention, in axis order. */
    static Map<Axis, Selection> sweptAxes(Intervention intervention) {
        Map<Axis, Selection> swept = new EnumMap<>(Axis.class);
        selections(intervention).forEach((axis, selection) -> {
            if (selection.swept()) {
                swept.put(axis, selection);
            }
        });
        return swept;
    }

    /** Every index selection of an intervention, in axis order. */
    static Map<Axis, Selection> selections(Intervention intervention) {
        Map<Axis, Selection> selections = new EnumMap<>(Axis.class);
        if (intervention instanceof Ablation a) {
            selections.put(Axis.LAYER, a.layers());
            selections.put(Axis.HEAD, a.heads());
            selections.put(Axis.NEURON, a.neurons());
            selections.put(Axis.POSITION, a.positions());
        } else {
            Patching p = (Patching) intervention;
            selections.put(Axis.LAYER, p.layers());
            selections.put(Axis.HEAD, p.heads());
            selections.put(Axis.POSITION, p.positions());
        }
        return selections;
    }

    private ResolvedHook checkAblation(String label, Ablation ablation) {
        boolean heads = ablation.heads().isGiven();
        boolean neurons = ablation.neurons().isGiven();
        if (heads && neurons) {
            problems.add(Message.BAD_OVERRIDE.format(label + " selects both heads and neurons; an ablation selects"
                    + " heads, neurons, or (with neither) the whole activation at its hook"));
        }
        String written = !ablation.hook().isEmpty() ? ablation.hook()
                : heads ? DEFAULT_HEAD_HOOK : neurons ? DEFAULT_NEURON_HOOK : null;
        checkSelections(label, ablation);
        if (written == null) {
            problems.add(Message.BAD_OVERRIDE.format(label + " ablates a whole activation but names no hook; give"
                    + " hook = ..., or heads or neurons to ablate"));
            return null;
        }
        ResolvedHook hook = resolveHook(written, ablation.layers());
        checkLayers(ablation.layers());
        checkHeads(hook, ablation.heads());
        if (neurons && hook != null && !hook.sample().dims().contains(Dim.D_MLP)) {
            problems.add(Problem.of(Message.NOT_NEURON_HOOK, written, hook.sample().kind().typeName(),
                    hook.sample().dimsLabel()).text());
        }
        checkIndices(ablation.neurons(), checks::neuron, Message.NEURONS_RANGE, checks.config().dMlp() - 1);
        checkPositions(hook, ablation.positions());
        return hook;
    }

    private ResolvedHook checkPatch(String label, Patching patch) {
        checkSelections(label, patch);
        checkInput(label, "from", patch.from());
        checkInput(label, "into", patch.into());
        if (patch.hook().isEmpty()) {
            problems.add(Message.BAD_OVERRIDE.format(label + " names no hook to patch"));
            return null;
        }
        ResolvedHook hook = resolveHook(patch.hook(), patch.layers());
        checkLayers(patch.layers());
        checkHeads(hook, patch.heads());
        checkPositions(hook, patch.positions());
        return hook;
    }

    private void checkSelections(String label, Intervention intervention) {
        selections(intervention).forEach((axis, selection) -> {
            if (selection.swept() && !selection.isGiven()) {
                problems.add(Problem.of(Message.EMPTY_SWEEP, label + "." + axisName(axis)).text());
            }
        });
    }

    private void checkInput(String label, String role, String input) {
        Set<String> names = inputNames();
        if (!names.contains(input)) {
            problems.add(label + " reads " + role + " input '" + input + "', but "
                    + experiment.name() + " has " + describeInputs(names) + DidYouMean.hint(input, names));
        }
    }

    /**
     * The hook an intervention names, or null after adding the problem: unknown (with the nearest names, full or
     * block-relative), not in this architecture, or inside each block without a layer.
     */
    private ResolvedHook resolveHook(String written, Selection layers) {
        HookPoints points = checks.hookPoints();
        if (points.contains(written)) {
            return new ResolvedHook(written, false, points.get(written));
        }
        if (checks.isBlockRelative(written)) {
            String inFirstBlock = "blocks.0." + written;
            Optional<Problem> problem = checks.hook(inFirstBlock);
            if (problem.isPresent()) {
                problems.add(problem.get().text());
                return null;
            }
            if (!layers.isGiven()) {
                problems.add(Problem.of(Message.HOOK_NEEDS_LAYER, written, written).text());
                return null;
            }
            return new ResolvedHook(written, true, points.get(inFirstBlock));
        }
        Problem problem = checks.hook(written).orElseThrow();
        if (written.startsWith("blocks.") || problem.message() == Message.HOOK_NOT_IN_ARCHITECTURE) {
            problems.add(problem.text());
        } else {
            // Neither a full name nor one inside a block: suggest from both spellings, since either was meant.
            Set<String> candidates = new LinkedHashSet<>();
            for (HookPoint point : points.all()) {
                if (point.layer() <= 0) {
                    candidates.add(point.blockRelativeName());
                }
            }
            problems.add(Problem.of(Message.UNKNOWN_HOOK, written, checks.modelName(),
                    DidYouMean.hint(written, candidates)).text());
        }
        return null;
    }

    private void checkLayers(Selection layers) {
        checkIndices(layers, checks::layer, Message.LAYERS_RANGE, checks.config().layers() - 1);
    }

    private void checkHeads(ResolvedHook hook, Selection heads) {
        if (!heads.isGiven() || hook == null) {
            return;
        }
        Dim headDim = hook.headDim();
        if (headDim == null) {
            problems.add(Problem.of(Message.NOT_HEAD_HOOK, hook.written(), hook.sample().kind().typeName(),
                    hook.sample().dimsLabel()).text());
            return;
        }
        if (headDim == Dim.KV_HEAD) {
            checkIndices(heads, checks::kvHead, Message.KV_HEADS_RANGE, checks.config().kvHeads() - 1);
        } else {
            checkIndices(heads, checks::head, Message.HEADS_RANGE, checks.config().heads() - 1);
        }
    }

    private void checkPositions(ResolvedHook hook, Selection positions) {
        if (positions.isGiven() && hook != null && hook.positionDim() == null) {
            problems.add(Message.BAD_OVERRIDE.format("'" + hook.written() + "' holds "
                    + hook.sample().kind().typeName() + " " + hook.sample().dimsLabel()
                    + ", which has no position axis to select positions from"));
        }
        checkIndices(positions, checks::position, Message.POSITIONS_RANGE, checks.config().contextLength() - 1);
    }

    /**
     * One problem per selection however many of its indices are out of range (a range override easily names
     * dozens): the single check's own message for one, else {@code several} naming them all.
     */
    private void checkIndices(Selection selection, IntFunction<Optional<Problem>> check, Message several,
            int lastValid) {
        List<Integer> offending = new ArrayList<>();
        Problem first = null;
        for (int index : selection.values()) {
            Optional<Problem> problem = check.apply(index);
            if (problem.isPresent()) {
                offending.add(index);
                first = first == null ? problem.get() : first;
            }
        }
        if (offending.size() == 1) {
            problems.add(first.text());
        } else if (offending.size() > 1) {
            problems.add(Problem.of(several, runsOf(offending), checks.modelName(), lastValid).text());
        }
    }

    /** Indices in the order given, each run of consecutive ones as {@code a..b}: {@code 4..11, 20, 22}. */
    static String runsOf(List<Integer> indices) {
        StringBuilder text = new StringBuilder();
        int start = 0;
        for (int i = 1; i <= indices.size(); i++) {
            if (i == indices.size() || indices.get(i) != indices.get(i - 1) + 1) {
                text.append(text.length() == 0 ? "" : ", ").append(indices.get(start));
                if (i - 1 > start) {
                    text.append(i - 1 == start + 1 ? ", " : "..").append(indices.get(i - 1));
                }
                start = i;
            }
        }
        return text.toString();
    }

    private String modelInput(RunDefinition run, List<Intervention> interventions) {
        Set<String> names = inputNames();
        Set<String> patchedInputs = new LinkedHashSet<>();
        for (Intervention intervention : interventions) {
            if (intervention instanceof Patching patch) {
                patchedInputs.add(patch.into());
            }
        }
        if (patchedInputs.size() > 1) {
            problems.add("run " + run.name() + " patches into " + patchedInputs
                    + "; a run feeds the model one input");
            return null;
        }
        if (patchedInputs.size() == 1) {
            return patchedInputs.iterator().next();
        }
        if (!run.input().isEmpty()) {
            if (!names.contains(run.input())) {
                problems.add("run " + run.name() + " runs on input '" + run.input()
                        + "', but " + experiment.name() + " has " + describeInputs(names)
                        + DidYouMean.hint(run.input(), names));
            }
            return run.input();
        }
        if (names.size() == 1) {
            return names.iterator().next();
        }
        problems.add(names.isEmpty()
                ? "run " + run.name() + " feeds the model, but " + experiment.name() + " has no @Input"
                : "run " + run.name() + " must name its input (@Run(input = ...)): " + experiment.name() + " has "
                        + describeInputs(names));
        return null;
    }

    private Set<String> inputNames() {
        Set<String> names = new LinkedHashSet<>();
        experiment.inputs().forEach(input -> names.add(input.name()));
        return names;
    }

    private static String describeInputs(Set<String> names) {
        return names.isEmpty() ? "no @Input" : "inputs " + String.join(", ", names);
    }
}
