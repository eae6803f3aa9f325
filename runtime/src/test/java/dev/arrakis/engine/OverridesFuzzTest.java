package dev.arrakis.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.fuzz.UntrustedInput;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.InterventionRules;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Selection;
import dev.arrakis.spec.ShapeChecks;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Any {@code key=value} overrides (one per line of the input), parsed as {@code ./arrakis run} parses them and applied
 * to a run with an ablation, a patch and a steering, then checked against GPT-2's shape as the runner checks them
 * before loading a model. Problems are collected into an {@link ExperimentDefinitionException}; nothing else may
 * escape, and a value such as {@code range(0,2147483647)} must not build two billion indices.
 */
class OverridesFuzzTest {
    private static final ModelConfig SHAPE = ConfigShapes.parse(dev.arrakis.io.CheckpointFiles.readConfig(
            Path.of("src/test/resources/reference/gpt2-prefixed")));
    private static final List<Intervention> DECLARED = List.of(
            new Intervention.Ablation("attn.hook_z", Selection.of(1), Selection.sweep(0, 1), Selection.none(),
                    Selection.none(), AblationMethod.ZERO),
            new Intervention.Patching("hook_resid_pre", Selection.sweep(0, 1), Selection.of(-1), Selection.none(),
                    "clean", "corrupted"),
            new Intervention.Steering("hook_resid_post", Selection.of(0), Selection.none(), 1.0, "direction",
                    List.of()));

    @FuzzTest(maxDuration = "30s")
    void anyOverridesApplyOrAreRefused(byte[] input) {
        List<String> arguments = UntrustedInput.lines(input);
        UntrustedInput.refusalOf(() -> {
            Map<String, String> overrides = Overrides.fromArguments(arguments);
            Overrides.Applied applied = Overrides.apply("effect", DECLARED, overrides);
            if (applied.problems().isEmpty()) {
                InterventionRules.check(Optional.of(new ShapeChecks("gpt2", SHAPE)), "effect",
                        applied.interventions());
            }
        });
    }
}
