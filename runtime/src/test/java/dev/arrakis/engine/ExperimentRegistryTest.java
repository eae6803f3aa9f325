package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.runs.RunOutcome;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Finding experiments on the class path by name, and runs by {@code Experiment.run}. */
class ExperimentRegistryTest {
    private static final String SERVICE = "META-INF/services/" + ExperimentDefinition.class.getName();

    @Test
    void listsAndFindsTheRegisteredExperiments() {
        ExperimentRegistry registry = ExperimentRegistry.load(getClass().getClassLoader());
        assertEquals(List.of("RegisteredTest"), registry.list().stream().map(ExperimentDefinition::name).toList());
        assertEquals(RegisteredTestExperiment.class.getName(), registry.find("RegisteredTest").experimentClass());
        RunReference reference = registry.resolve("RegisteredTest.headSweep");
        assertEquals("headSweep", reference.run().name());
        assertEquals("RegisteredTest.headSweep", reference.name());
    }

    @Test
    void unknownNamesSuggestTheNearest() {
        ExperimentRegistry registry = ExperimentRegistry.load(getClass().getClassLoader());
        ExperimentDefinitionException experiment = assertThrows(ExperimentDefinitionException.class,
                () -> registry.find("RegisteredTset"));
        assertEquals("no experiment 'RegisteredTset'; did you mean 'RegisteredTest'? (experiments: RegisteredTest)",
                experiment.getMessage());
        ExperimentDefinitionException run = assertThrows(ExperimentDefinitionException.class,
                () -> registry.resolve("RegisteredTest.headSweeps"));
        assertEquals("experiment RegisteredTest has no run 'headSweeps'; did you mean 'headSweep'? (runs: logitDiff,"
                + " headSweep)", run.getMessage());
        ExperimentDefinitionException noRun = assertThrows(ExperimentDefinitionException.class,
                () -> registry.resolve("RegisteredTest"));
        assertTrue(noRun.getMessage().contains("write Experiment.run (runs of RegisteredTest: logitDiff, headSweep)"),
                noRun.getMessage());
    }

    @Test
    void experimentNamesMayHoldDots() {
        ExperimentRegistry registry = ExperimentRegistry.of(List.of(TestDefinition.named("ioi.v2")
                .run(RunDefinition.builder("run").invoker((experiment, context) -> null))));
        assertEquals("ioi.v2", registry.resolve("ioi.v2.run").experiment().name());
    }

    @Test
    void twoClassesWithOneNameAreRejectedNamingBoth(@TempDir Path classPath) throws IOException {
        Path services = classPath.resolve(SERVICE);
        Files.createDirectories(services.getParent());
        Files.writeString(services, RegisteredTestExperiment.Twin.class.getName() + "\n");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classPath.toUri().toURL()},
                getClass().getClassLoader())) {
            ExperimentDefinitionException error = assertThrows(ExperimentDefinitionException.class,
                    () -> ExperimentRegistry.load(loader));
            assertTrue(error.getMessage().contains("experiment name 'RegisteredTest' is taken by both "
                    + RegisteredTestExperiment.class.getName() + " and "
                    + RegisteredTestExperiment.Twin.class.getName()), error.getMessage());
        }
    }

    @Test
    void aRegisteredExperimentRuns() {
        ExperimentDefinition definition = ExperimentRegistry.load(getClass().getClassLoader()).find("RegisteredTest");
        try (ExperimentRunner runner = ExperimentRunner.open(definition)) {
            List<RunOutcome> outcomes = runner.runAll();
            assertEquals(2, outcomes.size());
            assertEquals(4, outcomes.get(1).points());
        }
    }
}
