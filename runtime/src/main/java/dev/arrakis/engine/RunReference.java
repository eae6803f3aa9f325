package dev.arrakis.engine;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.util.DidYouMean;
import java.util.List;

/**
 * A run of an experiment, as the command line names it: {@code Experiment.run}.
 *
 * @param <E> the experiment class
 */
public record RunReference<E>(ExperimentDefinition<E> experiment, RunDefinition<E> run) {

    /** {@code Experiment.run}. */
    public String name() {
        return experiment.name() + "." + run.name();
    }

    /**
     * The run of that name in the experiment.
     *
     * @throws ExperimentDefinitionException naming the nearest run names and every run name
     */
    public static <E> RunReference<E> of(ExperimentDefinition<E> experiment, String runName) {
        for (RunDefinition<E> run : experiment.runs()) {
            if (run.name().equals(runName)) {
                return new RunReference<>(experiment, run);
            }
        }
        List<String> names = experiment.runs().stream().map(RunDefinition::name).toList();
        throw new ExperimentDefinitionException("experiment " + experiment.name() + " has no run '" + runName + "'"
                + DidYouMean.hint(runName, names)
                + (names.isEmpty() ? "; it has no runs" : " (runs: " + String.join(", ", names) + ")"));
    }
}
