package dev.arrakis.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.InterventionRules.Located;
import dev.arrakis.spec.InterventionRules.Location;
import dev.arrakis.spec.InterventionRules.Part;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules locate each problem so that the build can point at an annotation value and the run at a key. */
class InterventionRulesTest {
    /** gpt2: layers 0..11, heads 0..11, neurons 0..3071. */
    private static final Optional<ShapeChecks> GPT2 = Optional.of(new ShapeChecks("gpt2",
            KnownModels.get("gpt2").config()));

    private static List<Located> problems(Intervention... interventions) {
        return InterventionRules.check(GPT2, "r", List.of(interventions)).problems();
    }

    @Test
    void eachIndexOutOfRangeIsLocatedAtItsElement() {
        List<Located> problems = problems(new Ablation("", Selection.of(3, 12, 13), Selection.of(0),
                Selection.none(), Selection.none(), AblationMethod.ZERO));
        assertEquals(List.of(
                new Located(new Problem(Message.LAYER_RANGE,
                        "[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)"),
                        new Location(0, Part.SELECTION, Axis.LAYER, 1)),
                new Located(new Problem(Message.LAYER_RANGE,
                        "[Experiment/LayerRange] layer 13 does not exist in gpt2 (layers 0..11)"),
                        new Location(0, Part.SELECTION, Axis.LAYER, 2))), problems, problems::toString);
    }

    @Test
    void headsAndNeuronsTogetherAreOneProblemAtTheNeurons() {
        List<Located> problems = problems(new Ablation("", Selection.of(3), Selection.of(1), Selection.of(7),
                Selection.none(), AblationMethod.ZERO));
        assertEquals(List.of(new Located(new Problem(Message.ABLATE_HEADS_AND_NEURONS, "[Experiment/AblateTarget]"
                + " @Ablate selects heads or neurons, not both; with neither it replaces the whole activation at its"
                + " hook"), new Location(0, Part.SELECTION, Axis.NEURON, -1))), problems, problems::toString);
    }

    @Test
    void aPatchWithoutAHookIsLocatedAtItsHook() {
        List<Located> problems = problems(new Patching("", Selection.of(3), Selection.none(), Selection.none(),
                "clean", "corrupted"));
        assertEquals(List.of(new Located(new Problem(Message.PATCH_TARGET, "[Experiment/PatchTarget] @Patch needs"
                + " hook to say what it replaces"), new Location(0, Part.HOOK, null, -1))), problems,
                problems::toString);
    }

    /** Without a model only the rules that need no shape apply: layer 40 passes, the second sweep of layer does not. */
    @Test
    void withoutAModelOnlyTheShapeFreeRulesApply() {
        List<Located> problems = InterventionRules.check(Optional.empty(), "r", List.of(
                new Ablation("", Selection.sweep(40, 41), Selection.of(0), Selection.none(), Selection.none(),
                        AblationMethod.ZERO),
                new Ablation("", Selection.sweep(0, 1), Selection.of(1), Selection.none(), Selection.none(),
                        AblationMethod.ZERO))).problems();
        assertEquals(List.of(new Located(new Problem(Message.SWEPT_TWICE, "[Experiment/SweptTwice] layer is already"
                + " swept by another intervention of run 'r'; each axis can be swept by one intervention"),
                new Location(1, Part.SWEEP, Axis.LAYER, -1))), problems, problems::toString);
    }
}
