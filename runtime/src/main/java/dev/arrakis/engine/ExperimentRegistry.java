package dev.arrakis.engine;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The experiments on a class path: every {@link ExperimentDefinition} registered as a {@link ServiceLoader} service
 * (the annotation processor registers one per {@code @Experiment} class), by name.
 */
public final class ExperimentRegistry {
    private final Map<String, ExperimentDefinition<?>> byName;

    private ExperimentRegistry(Map<String, ExperimentDefinition<?>> byName) {
        this.byName = byName;
    }

    /**
     * The experiments registered on the class loader's class path.
     *
     * @throws ExperimentDefinitionException when two classes claim one name, or a registered definition cannot be
     *     loaded
     */
    public static ExperimentRegistry load(ClassLoader loader) {
        List<ExperimentDefinition<?>> found = new ArrayList<>();
        try {
            ServiceLoader.load(ExperimentDefinition.class, loader).forEach(found::add);
        } catch (ServiceConfigurationError e) {
            throw new ExperimentDefinitionException("cannot load the experiments on the class path: "
                    + e.getMessage());
        }
        return of(found);
    }

    /**
     * The given experiments.
     *
     * @throws ExperimentDefinitionException when two of them have one name
     */
    public static ExperimentRegistry of(Collection<? extends ExperimentDefinition<?>> definitions) {
        Map<String, ExperimentDefinition<?>> byName = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (ExperimentDefinition<?> definition : definitions) {
            ExperimentDefinition<?> earlier = byName.putIfAbsent(definition.name(), definition);
            if (earlier != null) {
                problems.add("experiment name '" + definition.name() + "' is taken by both "
                        + earlier.experimentClass() + " and " + definition.experimentClass()
                        + "; give one of them @Experiment(name = ...)");
            }
        }
        if (!problems.isEmpty()) {
            throw new ExperimentDefinitionException(problems);
        }
        return new ExperimentRegistry(byName);
    }

    /** Every experiment, sorted by name. */
    public List<ExperimentDefinition<?>> list() {
        return List.copyOf(byName.values());
    }

    public Optional<ExperimentDefinition<?>> lookup(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The experiment of that name.
     *
     * @throws ExperimentDefinitionException naming the nearest names and every name
     */
    public ExperimentDefinition<?> find(String name) {
        ExperimentDefinition<?> definition = byName.get(name);
        if (definition == null) {
            throw new ExperimentDefinitionException("no experiment '" + name + "'"
                    + DidYouMean.hint(name, byName.keySet())
                    + (byName.isEmpty() ? "; no experiment is registered on the class path"
                            : " (experiments: " + String.join(", ", byName.keySet()) + ")"));
        }
        return definition;
    }

    /**
     * A run named {@code Experiment.run} (split at the last dot, so experiment names may hold dots).
     *
     * @throws ExperimentDefinitionException for a reference without a dot, or an unknown experiment or run
     */
    public RunReference resolve(String reference) {
        int dot = reference.lastIndexOf('.');
        if (dot <= 0 || dot == reference.length() - 1) {
            throw new ExperimentDefinitionException("'" + reference + "' does not name a run; write Experiment.run"
                    + lookup(reference).map(experiment -> " (runs of " + reference + ": " + String.join(", ",
                            experiment.runs().stream().map(RunDefinition::name).toList()) + ")").orElse(""));
        }
        return RunReference.of(find(reference.substring(0, dot)), reference.substring(dot + 1));
    }
}
