package dev.arrakis.samples.experiments;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.runs.RunOutcome;
import java.nio.file.Path;
import java.util.Map;

/**
 * The samples' generated runners on one loaded copy of the committed model, as the tests run them: a run as declared,
 * with the registry the processor wrote for the samples.
 */
final class GeneratedRuns implements AutoCloseable {
    private static final Path CHECKPOINT = Path.of("../models/gpt2-tiny");

    private final HookedTransformer model = HookedTransformer.load(CHECKPOINT);
    private final ExperimentRegistry registry = ExperimentRegistry.load(GeneratedRuns.class.getClassLoader());

    HookedTransformer model() {
        return model;
    }

    RunOutcome run(String experiment, String run) {
        try (ExperimentRunner runner = ExperimentRunner.open(registry.find(experiment),
                RunnerOptions.defaults().withModel(model))) {
            return runner.run(run, Map.of());
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
