package dev.arrakis.engine;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.InputRules;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.InterventionRules.Located;
import dev.arrakis.spec.InterventionRules.Location;
import dev.arrakis.spec.InterventionRules.Part;
import dev.arrakis.spec.InterventionRules;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ShapeChecks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Checks a run and its overrides against the shape the experiment was built for, with the rules the annotation
 * processor applies ({@link InterventionRules}) and so the same messages. Needs no model, so a bad override fails
 * before anything loads.
 */
final class RunValidation {
    private final ExperimentDefinition<?> experiment;
    private final ShapeChecks checks;
    private final List<String> problems = new ArrayList<>();

    private RunValidation(ExperimentDefinition<?> experiment) {
        this.experiment = experiment;
        this.checks = new ShapeChecks(experiment.model().displayName(), experiment.shape());
    }

    /**
     * The run as it will execute.
     *
     * @throws ExperimentDefinitionException with every problem found
     */
    static <E> ValidatedRun<E> validate(RunReference<E> reference, Map<String, String> overrides) {
        return new RunValidation(reference.experiment()).check(reference, overrides);
    }

    private <E> ValidatedRun<E> check(RunReference<E> reference, Map<String, String> overrides) {
        RunDefinition<E> run = reference.run();
        Overrides.Applied applied = Overrides.apply(run.name(), run.interventions(), overrides);
        problems.addAll(applied.problems());
        List<Intervention> interventions = applied.interventions();
        List<String> labels = Overrides.labels(interventions);
        InterventionRules.Checked checked = InterventionRules.check(Optional.of(checks), run.name(), interventions);
        problems.addAll(combineRanges(checked.problems(), interventions, labels));
        for (Intervention intervention : interventions) {
            if (intervention instanceof Patching patch) {
                checkInput(patch.from());
                checkInput(patch.into());
            }
            if (intervention instanceof Intervention.Steering steering) {
                checkInput(steering.vector());
            }
        }
        for (TypedHook<?> capture : run.captures()) {
            checks.hook(capture.name()).ifPresent(problem -> problems.add(problem.text()));
        }
        String modelInput = modelInput(run, interventions);
        if (!problems.isEmpty()) {
            throw new ExperimentDefinitionException(problems);
        }
        return new ValidatedRun<>(reference, interventions, checked.hooks(), labels, modelInput,
                Collections.unmodifiableMap(new LinkedHashMap<>(overrides)));
    }

    /**
     * The problems' texts, with all indices out of range on one selection as one problem (a range override easily
     * names dozens), in place of the first: the single check's own message for one, else the plural naming them all.
     */
    private List<String> combineRanges(List<Located> located, List<Intervention> interventions,
            List<String> labels) {
        Map<String, List<Integer>> offendingBySelection = new LinkedHashMap<>();
        for (Located problem : located) {
            Location where = problem.location();
            if (where.part() == Part.SELECTION && where.element() >= 0) {
                offendingBySelection.computeIfAbsent(overrideKey(where, labels), key -> new ArrayList<>())
                        .add(interventions.get(where.intervention()).selections().get(where.axis()).values()
                                .get(where.element()));
            }
        }
        List<String> texts = new ArrayList<>();
        for (Located problem : located) {
            Location where = problem.location();
            if (where.part() != Part.SELECTION || where.element() < 0) {
                texts.add(problem.problem().text());
                continue;
            }
            List<Integer> offending = offendingBySelection.remove(overrideKey(where, labels));
            if (offending != null) {
                texts.add(offending.size() == 1 ? problem.problem().text() : several(problem.problem().message(),
                        offending));
            }
        }
        return texts;
    }

    /** The override key that sets the selection a problem is located in, e.g. {@code ablate2.layer}. */
    private static String overrideKey(Location where, List<String> labels) {
        return labels.get(where.intervention()) + "." + Intervention.axisName(where.axis());
    }

    private String several(Message single, List<Integer> offending) {
        ModelConfig config = checks.config();
        return switch (single) {
            case LAYER_RANGE -> Message.LAYERS_RANGE.format(runsOf(offending), checks.modelName(), config.layers() - 1);
            case HEAD_RANGE -> Message.HEADS_RANGE.format(runsOf(offending), checks.modelName(), config.heads() - 1);
            case KV_HEAD_RANGE -> Message.KV_HEADS_RANGE.format(runsOf(offending), checks.modelName(),
                    config.kvHeads() - 1);
            case NEURON_RANGE -> Message.NEURONS_RANGE.format(runsOf(offending), checks.modelName(), config.dMlp() - 1);
            case POSITION_RANGE -> Message.POSITIONS_RANGE.format(runsOf(offending), checks.modelName(),
                    config.contextLength() - 1);
            default -> throw new IllegalStateException("an element's problem that is no range problem: " + single);
        };
    }

    private void checkInput(String input) {
        InputRules.unknown(input, inputNames()).ifPresent(problem -> problems.add(problem.text()));
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

    private String modelInput(RunDefinition<?> run, List<Intervention> interventions) {
        Set<String> names = inputNames();
        Set<String> patchedInputs = new LinkedHashSet<>();
        for (Intervention intervention : interventions) {
            if (intervention instanceof Patching patch) {
                patchedInputs.add(patch.into());
            }
        }
        if (patchedInputs.size() > 1) {
            problems.add(Message.ONE_MODEL_INPUT.format(run.name(), String.join(", ", patchedInputs)));
            return null;
        }
        if (patchedInputs.size() == 1) {
            return patchedInputs.iterator().next();
        }
        if (!run.input().isEmpty()) {
            checkInput(run.input());
            return run.input();
        }
        if (names.size() == 1) {
            return names.iterator().next();
        }
        // The inputs' types are not known here; which of them hold tokens shows when the run starts.
        problems.add(InputRules.noModelInput(run.name(), names, names).text());
        return null;
    }

    private Set<String> inputNames() {
        Set<String> names = new LinkedHashSet<>();
        experiment.inputs().forEach(input -> names.add(input.name()));
        return names;
    }
}
