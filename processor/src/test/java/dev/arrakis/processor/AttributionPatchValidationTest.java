package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * {@code @AttributionPatch} is checked by {@code @Patch}'s rules (the shared InterventionRules), each problem on the
 * annotation value at fault, plus its own: it stands alone on its run, and its method is the metric (a scalar
 * NDArray, without the cache). Each error is also checked under ecj.
 */
class AttributionPatchValidationTest {

    private static void assertError(String members, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", members), message, line);
    }

    @Test
    void aGridOverLayersAndPositionsCompiles() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @AttributionPatch(hook = "hook_resid_pre", layer = Sweep.ALL, position = Sweep.ALL,
                            from = "prompts", into = "prompts")
                    NDArray r(Logits logits) { return logits.array().sum(); }

                    @AttributionPatch(hook = "attn.hook_z", layer = Sweep.ALL, head = Sweep.ALL,
                            from = "prompts", into = "prompts")
                    NDArray heads(Logits logits) { return logits.array().sum(); }
                """);
        assertThat(Compilations.compile(source)).succeededWithoutWarnings();
    }

    @Test
    void aLayerOutOfRangeIsAnErrorOnItsElement() {
        assertError("""
                    @AttributionPatch(hook = "hook_resid_pre", from = "prompts", into = "prompts",
                            layer = {0, 12})
                    NDArray r(Logits logits) { return logits.array().sum(); }
                """, "[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)", "layer = {0, 12}");
    }

    @Test
    void anUnknownHookGetsTheNearestName() {
        assertError("""
                    @AttributionPatch(hook = "hook_resid_per", layer = 1,
                            from = "prompts", into = "prompts")
                    NDArray r(Logits logits) { return logits.array().sum(); }
                """, "hook_resid_pre", "hook = \"hook_resid_per\"");
    }

    @Test
    void headsOnAHookWithoutAHeadAxis() {
        assertError("""
                    @AttributionPatch(hook = "hook_attn_out", layer = 1, from = "prompts", into = "prompts",
                            head = 3)
                    NDArray r(Logits logits) { return logits.array().sum(); }
                """, "[Experiment/NotHeadHook] 'hook_attn_out' holds a Residual", "head = 3)");
    }

    @Test
    void anUnknownInputIsAnErrorOnFrom() {
        assertError("""
                    @AttributionPatch(hook = "hook_resid_pre", layer = 1, into = "prompts",
                            from = "promts")
                    NDArray r(Logits logits) { return logits.array().sum(); }
                """, "[Experiment/UnknownInput] no @Input named 'promts'", "from = \"promts\"");
    }

    @Test
    void sweepingAnAxisItLacksNamesTheAnnotation() {
        assertError("""
                    @AttributionPatch(hook = "hook_resid_pre", layer = 3, from = "prompts", into = "prompts",
                            sweep = {Axis.LAYER, Axis.NEURON})
                    NDArray r(Logits logits) { return logits.array().sum(); }
                """, "[Experiment/SweepAxis] @AttributionPatch has no neuron attribute to sweep", "sweep = {");
    }

    @Test
    void theMetricMustBeAnNDArray() {
        assertError("""
                    @AttributionPatch(hook = "hook_resid_pre", layer = Sweep.ALL, from = "prompts",
                            into = "prompts")
                    double metric(Logits logits) { return 0; }
                """, "[Experiment/AttributionPatch] run method 'metric' returns a double; under @AttributionPatch it is"
                + " the metric", "double metric(");
    }

    @Test
    void theMetricCannotReadTheCache() {
        assertError("""
                    @AttributionPatch(hook = "hook_resid_pre", layer = Sweep.ALL, from = "prompts",
                            into = "prompts")
                    NDArray metric(Logits logits, ActivationCache cache) { return logits.array().sum(); }
                """, "[Experiment/AttributionPatch] run method 'metric' reads cached activations", "NDArray metric(");
    }

    @Test
    void itStandsAloneOnItsRun() {
        assertError("""
                    @Ablate(layer = 1, head = 2)
                    @AttributionPatch(hook = "hook_resid_pre", layer = Sweep.ALL, from = "prompts",
                            into = "prompts")
                    NDArray r(Logits logits) { return logits.array().sum(); }
                """, "[Experiment/AttributionPatch] @AttributionPatch estimates patching from one differentiated run and"
                + " cannot be combined with @Ablate on run 'r'", "@AttributionPatch(");
    }
}
