package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Rules 7 and 8, and the warnings: interventions of one run must not replace the same activation or sweep the same
 * axis, sweeps must have values, names must be unique; suspicious but legal definitions compile with a warning.
 */
class InterventionValidationTest {

    private static void assertError(String members, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", members), message, line);
    }

    private static void assertWarning(String members, String message, String line) {
        Compilations.assertWarningOnLine(Compilations.gpt2Experiment("Probe", members), message, line);
    }

    @Test
    void twoAblationsOfTheSameHeadIsAnErrorOnTheSecond() {
        assertError("""
                    @Ablate(layer = 9, head = {6, 9})
                    @Ablate(layer = 9, head = 9, method = AblationMethod.MEAN)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/InterventionConflict] this @Ablate replaces attn.hook_z in layer 9 (head 9), which an"
                + " earlier @Ablate of run 'r' already replaces", "method = AblationMethod.MEAN");
    }

    @Test
    void wholeActivationOverlapsASweptHeadAblation() {
        assertError("""
                    @Ablate(layer = Sweep.ALL, head = 1)
                    @Patch(hook = "blocks.4.attn.hook_z", from = "prompts", into = "prompts")
                    double r(Logits logits) { return 0; }
                """, "[Experiment/InterventionConflict] this @Patch replaces attn.hook_z in layer 4, which an earlier"
                + " @Ablate of run 'r' already replaces", "@Patch");
    }

    @Test
    void disjointAblationsCompile() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Ablate(layer = 9, head = {6, 9})
                    @Ablate(layer = 9, head = 3)
                    @Ablate(layer = 10, head = 6)
                    @Ablate(layer = 9, hook = "attn.hook_pattern", head = 6)
                    double r(Logits logits) { return 0; }
                """);
        assertThat(Compilations.compile(source)).succeededWithoutWarnings();
    }

    @Test
    void twoInterventionsSweepingTheSameAxis() {
        assertError("""
                    @Ablate(layer = Sweep.ALL, head = 0)
                    @Ablate(hook = "hook_mlp_out",
                            layer = Sweep.ALL)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/SweptTwice] layer is already swept by another intervention of run 'r'",
                "layer = Sweep.ALL)");
    }

    @Test
    void sweepOfAnAttributeWithNoValues() {
        assertError("""
                    @Ablate(layer = 3, hook = "attn.hook_z",
                            sweep = Axis.HEAD)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/EmptySweep] 'head' sweeps over no values", "sweep = Axis.HEAD");
    }

    @Test
    void sweepOfAnAttributePatchingLacks() {
        assertError("""
                    @Patch(hook = "hook_resid_pre", layer = 3, from = "prompts", into = "prompts",
                            sweep = {Axis.LAYER, Axis.NEURON})
                    double r(Logits logits) { return 0; }
                """, "[Experiment/SweepAxis] @Patch has no neuron attribute to sweep", "sweep = {");
    }

    @Test
    void ablationWithNothingToReplace() {
        assertError("""
                    @Ablate(layer = 3)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/AblateTarget] @Ablate needs hook, head or neuron", "@Ablate(layer = 3)");
    }

    @Test
    void duplicateRunNames() {
        assertError("""
                    @Run(name = "same")
                    double first(Logits logits) { return 0; }

                    @Ablate(layer = 1, head = 1)
                    @Run(name = "same", input = "prompts")
                    double second(Logits logits) { return 0; }
                """, "[Experiment/DuplicateRun] run name 'same' is also used by method 'first'", "input = \"prompts\"");
    }

    @Test
    void duplicateExperimentNames() {
        JavaFileObject first = Compilations.experiment("First", """
                @Experiment(model = "gpt2", name = "same")
                class First {}
                """);
        JavaFileObject second = Compilations.experiment("Second", """
                @Experiment(model = "gpt2",
                        name = "same")
                class Second {}
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(first, second);
        assertThat(compilation).hadErrorContaining(
                        "[Experiment/DuplicateName] experiment name 'same' is also used by test.First")
                .inFile(second).onLineContaining("name = \"same\"");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void largeSweepWarnsWithTheCount() {
        assertWarning("""
                    @Ablate(layer = Sweep.ALL, neuron = Sweep.ALL)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/LargeSweep] run 'r' sweeps 36864 points (12 layers x 3072 neurons); each is a run"
                + " of its own", "double r");
    }

    @Test
    void captureOfAnOptInHookWarns() {
        assertWarning("""
                    @Run
                    double r(@Capture("blocks.0.attn.hook_result") HeadResults results) { return 0; }
                """, "[Experiment/OptInHook] 'blocks.0.attn.hook_result' is computed only when asked for and holds a"
                + " HeadResults [batch, pos, head, d_model] per layer", "@Capture");
    }

    @Test
    void interventionWhoseEffectTheRunCannotSeeWarns() {
        assertWarning("""
                    @Ablate(layer = 1, head = 1)
                    int r(TokenBatch prompts) { return 0; }
                """, "[Experiment/Unobserved] run 'r' intervenes but takes neither the logits, a @Capture nor the"
                + " cache", "int r");
    }
}
