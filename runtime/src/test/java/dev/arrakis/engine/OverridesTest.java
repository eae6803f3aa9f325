package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ArrakisException;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Selection;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Command-line overrides: parsed, checked against the shape before anything loads, and run. */
class OverridesTest extends TinyModelTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7},
            new long[] {1, 2, 3, 4, 5, 6});
    private static final Path NOWHERE = Path.of("target/no-such-checkpoint").toAbsolutePath();

    /** {@code @Ablate(layer = 1, head = 0)}: one head, one run, until overridden. */
    private static TestDefinition oneAblation() {
        return TestDefinition.named("Overrides").input("prompts", PROMPTS)
                .run(RunDefinition.builder("ablate")
                        .intervention(new Ablation("", Selection.of(1), Selection.of(0), Selection.none(),
                                Selection.none(), AblationMethod.ZERO))
                        .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits())));
    }

    /** Two ablations and a patch, so every key must say which one it changes. */
    private static TestDefinition threeInterventions() {
        return TestDefinition.named("Three").input("clean", PROMPTS).input("corrupted", PROMPTS)
                .run(RunDefinition.builder("three")
                        .intervention(new Ablation("", Selection.of(0), Selection.of(0), Selection.none(),
                                Selection.none(), AblationMethod.ZERO))
                        .intervention(new Ablation("", Selection.of(1), Selection.none(), Selection.of(5),
                                Selection.none(), AblationMethod.MEAN))
                        .intervention(new Patching("hook_resid_pre", Selection.of(1), Selection.of(-1),
                                Selection.none(), "clean", "corrupted"))
                        .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits())));
    }

    private static ExperimentRunner runner(TestDefinition definition) {
        return ExperimentRunner.open(definition, RunnerOptions.defaults().withModel(model));
    }

    /** The problems of a run that must fail before loading: the checkpoint it would load does not exist. */
    private static String problems(TestDefinition definition, String run, Map<String, String> overrides) {
        try (ExperimentRunner runner = ExperimentRunner.open(definition,
                RunnerOptions.defaults().withCheckpoint(NOWHERE))) {
            ExperimentDefinitionException error = assertThrows(ExperimentDefinitionException.class,
                    () -> runner.run(run, overrides));
            assertFalse(runner.isModelLoaded(), "a bad override is refused before loading: " + error.getMessage());
            return error.getMessage();
        }
    }

    private static Map<String, String> overrides(String... keyValues) {
        Map<String, String> map = new LinkedHashMap<>();
        for (String keyValue : keyValues) {
            int equals = keyValue.indexOf('=');
            map.put(keyValue.substring(0, equals), keyValue.substring(equals + 1));
        }
        return map;
    }

    private static double zeroHeads(int layer, int... heads) {
        try (ForwardResult result = model.run(PROMPTS,
                RunOptions.none().withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(heads)))) {
            return Metrics.lastLogitDiff(result.logits());
        }
    }

    @Test
    void aLayerOutOfRangeFailsBeforeTheModelLoads() {
        String message = problems(oneAblation(), "ablate", overrides("layer=12"));
        assertTrue(message.contains("[Experiment/LayerRange] layer 12 does not exist"), message);
        assertTrue(message.contains("layers 0..1"), message);
        // The same runner does try that checkpoint once the overrides are valid.
        try (ExperimentRunner runner = ExperimentRunner.open(oneAblation(),
                RunnerOptions.defaults().withCheckpoint(NOWHERE))) {
            ArrakisException loadFailure = assertThrows(ArrakisException.class, () -> runner.run("ablate"));
            assertFalse(loadFailure instanceof ExperimentDefinitionException, loadFailure.getMessage());
        }
    }

    @Test
    void everyProblemIsReportedOnItsOwnLine() {
        String message = problems(oneAblation(), "ablate", overrides("layer=12", "head=9", "position=40"));
        List<String> lines = List.of(message.split("\n"));
        assertEquals(3, lines.size(), message);
        assertTrue(lines.get(0).startsWith("[Experiment/LayerRange] layer 12"), message);
        assertTrue(lines.get(1).startsWith("[Experiment/HeadRange] head 9 does not exist"), message);
        assertTrue(lines.get(2).startsWith("[Experiment/PositionRange] position 40 does not exist"), message);
    }

    /**
     * The tiny model has layers 0..1, heads 0..3 and a context of 32: each selection with indices out of range is
     * one problem naming them all, consecutive ones as a range.
     */
    @Test
    void indicesOutOfRangeAreOneProblemPerSelection() {
        String heads = problems(oneAblation(), "ablate", overrides("head=range(0,12)"));
        assertEquals(List.of("[Experiment/HeadRange] heads 4..11 do not exist in " + modelName() + " (heads 0..3)"),
                List.of(heads.split("\n")), heads);
        String scattered = problems(oneAblation(), "ablate", overrides("layer=[0,2,3,7]", "head=[1,5,6,9]",
                "position=range(30,34)"));
        assertEquals(List.of("[Experiment/LayerRange] layers 2, 3, 7 do not exist in " + modelName()
                        + " (layers 0..1)",
                "[Experiment/HeadRange] heads 5, 6, 9 do not exist in " + modelName() + " (heads 0..3)",
                "[Experiment/PositionRange] positions 32, 33 do not exist in " + modelName()
                        + " (context 0..31; negative counts from the end)"),
                List.of(scattered.split("\n")), scattered);
        String neurons = problems(threeInterventions(), "three", overrides("ablate2.neuron=range(254,258)"));
        assertEquals(List.of("[Experiment/NeuronRange] neurons 256, 257 do not exist in " + modelName()
                + " (neurons 0..255)"), List.of(neurons.split("\n")), neurons);
    }

    private static String modelName() {
        return oneAblation().model().displayName();
    }

    @Test
    void keyAndValueMistakesAreNamed() {
        String key = problems(oneAblation(), "ablate", overrides("haed=1"));
        assertTrue(key.contains("did you mean 'head'?"), key);
        String method = problems(oneAblation(), "ablate", overrides("method=meen"));
        assertTrue(method.contains("[Experiment/Override]") && method.contains("did you mean 'mean'?"), method);
        String value = problems(oneAblation(), "ablate", overrides("layer=one"));
        assertTrue(value.contains("'layer=one' is not an index value"), value);
        String empty = problems(oneAblation(), "ablate", overrides("layer=range(2,2)"));
        assertTrue(empty.contains("[Experiment/EmptySweep]"), empty);
        String hook = problems(oneAblation(), "ablate", overrides("hook=attn.hook_zz"));
        assertTrue(hook.contains("[Experiment/UnknownHook] no hook point 'attn.hook_zz'")
                && hook.contains("did you mean 'attn.hook_z'"), hook);
        String kvHead = problems(oneAblation(), "ablate", overrides("hook=attn.hook_k", "head=4"));
        assertTrue(kvHead.contains("[Experiment/KvHeadRange] key/value head 4 does not exist"), kvHead);
        String notHeads = problems(oneAblation(), "ablate", overrides("hook=hook_resid_pre"));
        assertTrue(notHeads.contains("[Experiment/NotHeadHook]"), notHeads);
        String noLayer = problems(oneAblation(), "ablate", overrides("layer=[]"));
        assertTrue(noLayer.contains("selects no index"), noLayer);
    }

    @Test
    void aBlockHookWithoutLayersAndANeuronOutOfRangeAreNamed() {
        TestDefinition noLayer = TestDefinition.named("NoLayer").input("prompts", PROMPTS)
                .run(RunDefinition.builder("heads")
                        .intervention(new Ablation("", Selection.none(), Selection.of(0), Selection.none(),
                                Selection.none(), AblationMethod.ZERO))
                        .invoker((experiment, context) -> null));
        String message = problems(noLayer, "heads", Map.of());
        assertTrue(message.startsWith("[Experiment/HookNeedsLayer] hook 'attn.hook_z' is inside each block"),
                message);
        try (ExperimentRunner runner = ExperimentRunner.open(noLayer,
                RunnerOptions.defaults().withCheckpoint(NOWHERE))) {
            runner.check("heads", overrides("hook=blocks.0.attn.hook_z"));
            assertFalse(runner.isModelLoaded(), "a full name needs no layer, and checking loads nothing");
        }
        String neuron = problems(threeInterventions(), "three", overrides("ablate2.neuron=300"));
        assertTrue(neuron.contains("[Experiment/NeuronRange] neuron 300 does not exist"), neuron);
    }

    @Test
    void anUnknownRunNameSuggestsTheNearest() {
        String message = problems(oneAblation(), "ablat", Map.of());
        assertTrue(message.contains("experiment Overrides has no run 'ablat'; did you mean 'ablate'?"), message);
    }

    @Test
    void commaSeparatedIndicesSweep() {
        RunOutcome outcome;
        try (ExperimentRunner runner = runner(oneAblation())) {
            outcome = runner.run("ablate", overrides("head=0,1"));
        }
        assertEquals(List.of(new SweepAxis("head", List.of(0, 1))), outcome.axes());
        assertEquals(zeroHeads(1, 0), outcome.vector()[0], 1e-5);
        assertEquals(zeroHeads(1, 1), outcome.vector()[1], 1e-5);
    }

    @Test
    void aRangeSweepsAndAllSweepsEveryIndex() {
        RunOutcome layers;
        RunOutcome heads;
        try (ExperimentRunner runner = runner(oneAblation())) {
            layers = runner.run("ablate", overrides("layer=range(0,2)"));
            heads = runner.run("ablate", overrides("layer=0", "head=all"));
        }
        assertEquals(List.of(new SweepAxis("layer", List.of(0, 1))), layers.axes());
        assertEquals(zeroHeads(0, 0), layers.vector()[0], 1e-5);
        assertEquals(zeroHeads(1, 0), layers.vector()[1], 1e-5);
        assertEquals(List.of(new SweepAxis("head", List.of(0, 1, 2, 3))), heads.axes());
        assertEquals(zeroHeads(0, 3), heads.vector()[3], 1e-5);
    }

    @Test
    void bracketsAblateTogetherInOneRun() {
        RunOutcome outcome;
        try (ExperimentRunner runner = runner(oneAblation())) {
            outcome = runner.run("ablate", overrides("head=[0,2]"));
        }
        assertEquals(List.of(), outcome.axes());
        assertEquals(zeroHeads(1, 0, 2), (double) outcome.value(), 1e-5);
    }

    @Test
    void withSeveralInterventionsKeysArePrefixed() {
        String bare = problems(threeInterventions(), "three", overrides("layer=1"));
        assertTrue(bare.contains("'layer' is ambiguous")
                && bare.contains("ablate1.layer or ablate2.layer or patch.layer"), bare);
        String unknown = problems(threeInterventions(), "three", overrides("ablate3.head=1"));
        assertTrue(unknown.contains("unknown override key 'ablate3.head'; did you mean"), unknown);
        assertTrue(unknown.contains("ablate1.head"), unknown);
        String patchMethod = problems(threeInterventions(), "three", overrides("patch.method=mean"));
        assertTrue(patchMethod.contains("patch is a patch, which has no 'method'"), patchMethod);

        RunOutcome outcome;
        try (ExperimentRunner runner = runner(threeInterventions())) {
            outcome = runner.run("three", overrides("ablate1.head=1,3", "ablate2.neuron=7", "patch.positions=0"));
        }
        assertEquals(List.of(new SweepAxis("head", List.of(1, 3))), outcome.axes());
        var interventions = outcome.record().arguments().get("interventions");
        assertEquals("[1,3]", interventions.get(0).get("head").get("values").toString());
        assertEquals(7, interventions.get(1).get("neuron").get("values").get(0).asInt());
        assertEquals(0, interventions.get(2).get("position").get("values").get(0).asInt());
        assertEquals("1,3", outcome.record().arguments().get("overrides").get("ablate1.head").asText());
    }

    @Test
    void twoInterventionsCannotSweepTheSameAxis() {
        String message = problems(threeInterventions(), "three", overrides("ablate1.layer=all", "patch.layer=0,1"));
        assertEquals("[Experiment/SweptTwice] layer is already swept by another intervention of run 'three'; each"
                + " axis can be swept by one intervention", message);
    }

    @Test
    void keysParseAsDocumented() {
        List<String> problems = new java.util.ArrayList<>();
        assertEquals(Selection.of(3), Overrides.parseSelection("k", "3", problems));
        assertEquals(Selection.sweep(3, 4, 5), Overrides.parseSelection("k", "3, 4,5", problems));
        assertEquals(Selection.sweep(0, 2, 4), Overrides.parseSelection("k", "range(0,6,2)", problems));
        assertEquals(Selection.sweep(3, 2, 1), Overrides.parseSelection("k", "range(3,0,-1)", problems));
        assertEquals(Selection.everyIndex(), Overrides.parseSelection("k", "all", problems));
        assertEquals(Selection.of(6, 9), Overrides.parseSelection("k", "[6,9]", problems));
        assertEquals(Selection.of(-1), Overrides.parseSelection("k", "-1", problems));
        assertEquals(List.of(), problems);
        assertEquals(List.of("layer", "head", "neuron", "position", "method", "hook"),
                Overrides.keys(oneAblation().runs().get(0).interventions()));
    }

    @Test
    void commandLineArgumentsBecomeAnOverrideMap() {
        assertEquals(List.of("layer", "head"),
                List.copyOf(Overrides.fromArguments(List.of("layer=9,10", "head=range(0,12)")).keySet()));
        ExperimentDefinitionException error = assertThrows(ExperimentDefinitionException.class,
                () -> Overrides.fromArguments(List.of("layer", "head=1", "head=2")));
        assertEquals(List.of("[Experiment/Override] 'layer' is not key=value, e.g. layer=3",
                "[Experiment/Override] 'head' is given twice"), error.problems());
    }

    @Test
    void aRunWithoutInterventionsTakesNoOverrides() {
        TestDefinition plain = TestDefinition.named("Plain").input("prompts", PROMPTS)
                .run(RunDefinition.builder("plain").invoker((experiment, context) -> null));
        String message = problems(plain, "plain", overrides("layer=1"));
        assertTrue(message.contains("run plain has no intervention"), message);
    }
}
