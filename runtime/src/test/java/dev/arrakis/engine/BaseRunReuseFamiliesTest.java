package dev.arrakis.engine;

import static dev.arrakis.engine.ReuseComparison.assertPointsDiffer;
import static dev.arrakis.engine.ReuseComparison.assertSameValues;
import static dev.arrakis.engine.ReuseComparison.runBoth;
import static dev.arrakis.engine.ReuseComparison.work;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Selection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Base-run reuse on every family's reference checkpoint: each point of a resid_pre patching grid, a head
 * zero-ablation sweep, a mean ablation of mlp_out by layer and position, and a run with two interventions gives the
 * same logits (every row, every position) with reuse as with one full pass per point, and the reused runs do less
 * work.
 */
class BaseRunReuseFamiliesTest {
    private static final TokenBatch CLEAN = TokenBatch.of(
            new long[] {5, 17, 3, 99, 42, 7, 11, 190}, new long[] {1, 2, 3, 4, 5, 6, 7, 8});
    private static final TokenBatch CORRUPTED = TokenBatch.of(
            new long[] {5, 17, 130, 99, 42, 7, 11, 190}, new long[] {1, 2, 3, 60, 5, 6, 7, 8});

    static Stream<String> referenceCheckpoints() throws IOException {
        try (Stream<Path> directories = Files.list(Path.of("src/test/resources/reference"))) {
            return directories.filter(directory -> Files.isRegularFile(directory.resolve("config.json")))
                    .map(directory -> directory.getFileName().toString()).sorted().toList().stream();
        }
    }

    @ParameterizedTest
    @MethodSource("referenceCheckpoints")
    void everySweepEqualsOneFullPassPerPoint(String caseName) {
        Path directory = Path.of("src/test/resources/reference", caseName).toAbsolutePath();
        try (HookedTransformer model = HookedTransformer.load(directory)) {
            int last = model.config().layers() - 1;
            TestDefinition definition = TestDefinition.named("Reuse")
                    .model(ModelSource.config(directory.resolve("config.json").toString()), model.config())
                    .input("clean", CLEAN)
                    .input("corrupted", CORRUPTED)
                    .run(logits("residPre", "corrupted", new Patching("hook_resid_pre", Selection.everyIndex(),
                            Selection.everyIndex(), Selection.none(), "clean", "corrupted")))
                    .run(logits("heads", "clean", new Ablation("attn.hook_z", Selection.everyIndex(),
                            Selection.everyIndex(), Selection.none(), Selection.none(), AblationMethod.ZERO)))
                    .run(logits("meanMlp", "clean", new Ablation("hook_mlp_out", Selection.everyIndex(),
                            Selection.none(), Selection.none(), Selection.sweep(0, 3, 7), AblationMethod.MEAN)))
                    .run(logits("twoInterventions", "corrupted",
                            new Patching("hook_attn_out", Selection.everyIndex(), Selection.of(4), Selection.none(),
                                    "clean", "corrupted"),
                            new Ablation("attn.hook_z", Selection.of(last), Selection.everyIndex(),
                                    Selection.none(), Selection.of(5, 6), AblationMethod.ZERO)));
            for (String run : new String[] {"residPre", "heads", "meanMlp", "twoInterventions"}) {
                RunOutcome[] outcomes = runBoth(model, definition, run, RunnerOptions.defaults());
                String what = caseName + " " + run;
                assertSameValues(what, outcomes[0], outcomes[1]);
                assertPointsDiffer(what, outcomes[1]);
                // with one layer, every head's point starts at the embedding: nothing to skip
                boolean skips = !(run.equals("heads") && model.config().layers() == 1);
                assertTrue(skips ? work(outcomes[0]) < work(outcomes[1]) : work(outcomes[0]) == work(outcomes[1]),
                        what + ": work with reuse " + work(outcomes[0]) + ", with full passes " + work(outcomes[1]));
            }
        }
    }

    /** A run of the model's logits, every row and position, so positions a point reused are compared too. */
    static RunDefinition<Object> logits(String name, String input, Intervention... interventions) {
        RunDefinition.Builder<Object> builder = RunDefinition.builder(name).input(input);
        for (Intervention intervention : interventions) {
            builder.intervention(intervention);
        }
        return builder.resultType("Logits").invoker((experiment, context) -> context.logits());
    }
}
