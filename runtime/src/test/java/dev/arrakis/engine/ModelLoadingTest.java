package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.annotations.Axis;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.ModelInput;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunRecord;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.KnownModels;
import dev.arrakis.spec.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the runner finds its model, when it loads it, and what it checks about it. */
class ModelLoadingTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(new long[] {5, 17, 3, 99});
    /** The tiny checkpoint's config below the test resources: no directory from the runtime module up holds it. */
    private static final String CONFIG_BELOW_RESOURCES = "reference/gpt2-prefixed/config.json";
    private static final Path RESOURCES = Path.of("src/test/resources").toAbsolutePath();

    private static final InputDefinition<Object, String> LABEL =
            new InputDefinition<>("label", "String", (experiment, model) -> "not tokens");

    private static RunDefinition<Object> plainRun() {
        return RunDefinition.builder("plain").invoker((experiment, context) -> context.config().layers());
    }

    @Test
    void aConfigPathIsFoundFromTheProjectDirectoryUpwards() {
        TestDefinition definition = TestDefinition.named("ByConfig").input("prompts", PROMPTS).run(plainRun());
        Path deeper = Path.of("src/test/java").toAbsolutePath();
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withProjectDir(deeper))) {
            assertFalse(runner.isModelLoaded(), "nothing loads before the first run");
            RunOutcome outcome = runner.run("plain");
            assertEquals(2, outcome.value());
            RunRecord.ModelIdentity identity = outcome.record().model();
            assertEquals(TestDefinition.CHECKPOINT.normalize(), identity.checkpoint().normalize());
            assertEquals(TestDefinition.CONFIG_PATH, identity.configPath());
            assertNull(identity.hubRepo());
            long loadMs = outcome.record().timings().loadMs();
            assertTrue(loadMs >= 0, "load took " + loadMs + " ms");
            HookedTransformer loaded = runner.model();
            runner.run("plain");
            assertSame(loaded, runner.model(), "loaded once");
            assertEquals(0, runner.run("plain").record().timings().loadMs());
        }
    }

    @Test
    void aConfigPathIsFoundUnderTheDirectoryTheBuildFoundItIn() {
        TestDefinition definition = TestDefinition.named("BuiltHere").input("prompts", PROMPTS).run(plainRun())
                .model(ModelSource.config(CONFIG_BELOW_RESOURCES, RESOURCES.toString()), TestDefinition.TINY);
        try (ExperimentRunner runner = ExperimentRunner.open(definition)) {
            Path checkpoint = runner.run("plain").record().model().checkpoint();
            assertEquals(TestDefinition.CHECKPOINT.normalize(), checkpoint.normalize(),
                    "loaded " + checkpoint + "; the build found the config under " + RESOURCES);
        }
    }

    @Test
    void aProjectDirectoryGivenToTheRunnerWinsOverTheBuildsDirectory(@TempDir Path elsewhere) throws IOException {
        Path copy = Files.createDirectories(elsewhere.resolve("reference/gpt2-prefixed"));
        for (String file : new String[] {"config.json", "model.safetensors"}) {
            Files.copy(TestDefinition.CHECKPOINT.resolve(file), copy.resolve(file));
        }
        TestDefinition definition = TestDefinition.named("Redirected").input("prompts", PROMPTS).run(plainRun())
                .model(ModelSource.config(CONFIG_BELOW_RESOURCES, RESOURCES.toString()), TestDefinition.TINY);
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withProjectDir(elsewhere))) {
            Path checkpoint = runner.run("plain").record().model().checkpoint();
            assertEquals(copy.normalize(), checkpoint.normalize(),
                    "loaded " + checkpoint + " although the project directory " + elsewhere + " was given");
        }
    }

    @Test
    void aBuildDirectoryThatNoLongerHoldsTheConfigFallsBackToTheWorkingDirectory() {
        Path gone = Path.of("target/no-such-project").toAbsolutePath();
        TestDefinition definition = TestDefinition.named("Moved").input("prompts", PROMPTS).run(plainRun())
                .model(ModelSource.config(TestDefinition.CONFIG_PATH, gone.toString()), TestDefinition.TINY);
        try (ExperimentRunner runner = ExperimentRunner.open(definition)) {
            Path checkpoint = runner.run("plain").record().model().checkpoint();
            assertEquals(TestDefinition.CHECKPOINT.normalize(), checkpoint.normalize(),
                    "loaded " + checkpoint + " from the working directory " + Path.of("").toAbsolutePath());
        }
    }

    @Test
    void aConfigFoundNowhereNamesTheBuildsDirectoryToo() {
        Path gone = Path.of("target/no-such-project").toAbsolutePath();
        TestDefinition definition = TestDefinition.named("Lost").input("prompts", PROMPTS).run(plainRun())
                .model(ModelSource.config("models/none/config.json", gone.toString()), TestDefinition.TINY);
        try (ExperimentRunner runner = ExperimentRunner.open(definition)) {
            ExperimentDefinitionException error = assertThrows(ExperimentDefinitionException.class,
                    () -> runner.run("plain"));
            assertEquals("[Experiment/ConfigNotFound] no model config 'models/none/config.json' beside "
                    + Path.of("").toAbsolutePath() + " or in any directory above it; the build found it under "
                    + gone + ", which no longer holds it", error.getMessage());
        }
    }

    @Test
    void aMissingConfigIsNamedWithWhereItWasLookedFor() {
        TestDefinition definition = TestDefinition.named("Lost").input("prompts", PROMPTS).run(plainRun())
                .model(ModelSource.config("models/none/config.json"), TestDefinition.TINY);
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withProjectDir(Path.of("src").toAbsolutePath()))) {
            ExperimentDefinitionException error = assertThrows(ExperimentDefinitionException.class,
                    () -> runner.run("plain"));
            assertTrue(error.getMessage().startsWith("[Experiment/ConfigNotFound] no model config"
                    + " 'models/none/config.json' beside "), error.getMessage());
        }
    }

    @Test
    void aCheckpointOfAnotherShapeIsRefusedNamingBoth() {
        TestDefinition definition = TestDefinition.named("Gpt2Sized").input("prompts", PROMPTS).run(plainRun())
                .model(ModelSource.known("gpt2"), KnownModels.get("gpt2").config());
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withCheckpoint(TestDefinition.CHECKPOINT))) {
            ExperimentRunException error = assertThrows(ExperimentRunException.class, () -> runner.run("plain"));
            assertTrue(error.getMessage().startsWith("experiment Gpt2Sized was checked against gpt2 (12 layers,"
                    + " 12 heads, 12 kv heads, d_model 768"), error.getMessage());
            assertTrue(error.getMessage().contains("but checkpoint " + TestDefinition.CHECKPOINT
                    + " has 2 layers, 4 heads"), error.getMessage());
            assertFalse(runner.isModelLoaded(), "the mismatched model stays unloaded");
        }
    }

    @Test
    void inputsAreCalledOncePerRunOnAFreshInstance() {
        AtomicInteger instances = new AtomicInteger();
        AtomicInteger calls = new AtomicInteger();
        TestDefinition definition = TestDefinition.named("Counting")
                .factory(() -> instances.incrementAndGet())
                .input(new InputDefinition<>("prompts", "TokenBatch", (experiment, model) -> {
                    calls.incrementAndGet();
                    assertEquals(instances.get(), experiment, "called on this run's instance");
                    return PROMPTS;
                }))
                .input(LABEL)
                .run(RunDefinition.builder("sweep").input("prompts")
                        .intervention(new Intervention.Ablation("", Selection.sweep(0, 1), Selection.of(0),
                                Selection.none(), Selection.none(), dev.arrakis.annotations.AblationMethod.ZERO))
                        .invoker((experiment, context) -> {
                            assertEquals(instances.get(), experiment);
                            return context.input(LABEL);
                        }))
                .run(RunDefinition.builder("onText").input("label").invoker((experiment, context) -> null));
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withCheckpoint(TestDefinition.CHECKPOINT))) {
            RunOutcome outcome = runner.run("sweep");
            assertEquals(java.util.List.of("not tokens", "not tokens"), outcome.values());
            runner.run("sweep");
            assertEquals(2, calls.get());
            assertEquals(2, instances.get());
            ExperimentRunException notTokens = assertThrows(ExperimentRunException.class,
                    () -> runner.run("onText"));
            assertTrue(notTokens.getMessage().contains("input 'label' of Counting is a java.lang.String; the model"
                    + " runs on a TokenBatch or a ModelInput"), notTokens.getMessage());
        }
    }

    @Test
    void aFailingRunMethodNamesItsPoint() {
        TestDefinition definition = TestDefinition.named("Failing").input("prompts", PROMPTS)
                .run(RunDefinition.builder("fails")
                        .intervention(new Intervention.Ablation("", Selection.sweep(0, 1), Selection.of(2),
                                Selection.none(), Selection.none(), dev.arrakis.annotations.AblationMethod.ZERO))
                        .invoker((experiment, context) -> {
                            if (context.coordinate(Axis.LAYER) == 1) {
                                throw new IllegalStateException("boom");
                            }
                            return context.coordinate(Axis.LAYER);
                        }))
                .run(RunDefinition.builder("readsHead")
                        .intervention(new Intervention.Ablation("", Selection.sweep(0, 1), Selection.of(2),
                                Selection.none(), Selection.none(), dev.arrakis.annotations.AblationMethod.ZERO))
                        .invoker((experiment, context) -> context.coordinate(Axis.HEAD)));
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withCheckpoint(TestDefinition.CHECKPOINT))) {
            ExperimentRunException error = assertThrows(ExperimentRunException.class, () -> runner.run("fails"));
            assertEquals("Failing.fails at layer=1 failed: boom", error.getMessage());
            assertInstanceOf(IllegalStateException.class, error.getCause());
            ExperimentRunException unswept = assertThrows(ExperimentRunException.class,
                    () -> runner.run("readsHead"));
            assertEquals("Failing.readsHead at layer=0 failed: run readsHead does not sweep 'head'; its axes are"
                    + " layer", unswept.getMessage());
        }
    }

    @Test
    void severalInputsNeedTheRunToNameOne() {
        TestDefinition definition = TestDefinition.named("Ambiguous").input("a", PROMPTS).input("b", PROMPTS)
                .run(plainRun());
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withCheckpoint(Path.of("target/nowhere")))) {
            ExperimentDefinitionException error = assertThrows(ExperimentDefinitionException.class,
                    () -> runner.run("plain"));
            // The build's words for the same mistake: one catalogue entry, one tag.
            assertEquals(List.of("[Experiment/NoInput] run 'plain' must say which input the model runs on with"
                    + " @Run(input = ...) (inputs: a, b)"), error.problems());
        }
    }
}
