package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Rules 2 and 3: every index must exist in the model (saying the valid range), every hook point must exist in its
 * architecture, and heads and neurons must be selected where the activation has that axis.
 */
class ShapeValidationTest {

    private static void assertError(String members, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", members), message, line);
    }

    /** Where ecj places the error on a coarser line; see EclipseCompilerTest. */
    private static void assertError(String members, String message, String line, String ecjLine) {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", members), message, line, ecjLine);
    }

    @Test
    void layerOutOfRange() {
        assertError("""
                    @Ablate(layer = 12, head = 3)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)", "layer = 12");
    }

    @Test
    void layerOutOfRangeIsReportedOnItsArrayElement() {
        assertError("""
                    @Ablate(layer = {1,
                            13}, head = 0)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/LayerRange] layer 13 does not exist in gpt2", "13}", "layer = {1,");
    }

    @Test
    void headOutOfRange() {
        assertError("""
                    @Ablate(layer = 1, head = {0, 12})
                    double r(Logits logits) { return 0; }
                """, "[Experiment/HeadRange] head 12 does not exist in gpt2 (heads 0..11)", "head = {0, 12}");
    }

    @Test
    void keyValueHeadOutOfRangeForGroupedQueryAttention() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "Mistral-7B")
                class Probe {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Ablate(layer = 0, hook = "attn.hook_k", head = 8)
                    double keys(Logits logits) { return 0; }

                    @Ablate(layer = 0, hook = "attn.hook_q", head = 8)
                    double queries(Logits logits) { return 0; }
                }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining(
                        "[Experiment/KvHeadRange] key/value head 8 does not exist in Mistral-7B (kv heads 0..7)")
                .inFile(source).onLineContaining("attn.hook_k");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void neuronOutOfRange() {
        assertError("""
                    @Ablate(layer = 0, neuron = 3072)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/NeuronRange] neuron 3072 does not exist in gpt2 (neurons 0..3071)", "neuron = 3072");
    }

    @Test
    void positionOutOfRange() {
        assertError("""
                    @Patch(hook = "hook_resid_pre", layer = 0, position = -1025, from = "prompts", into = "prompts")
                    double r(Logits logits) { return 0; }
                """, "[Experiment/PositionRange] position -1025 does not exist in gpt2 (context 0..1023;", "-1025");
    }

    @Test
    void sweepAllMustBeAlone() {
        assertError("""
                    @Ablate(layer = {2, Sweep.ALL}, head = 0)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/SweepAll] Sweep.ALL must be the only value of 'layer'", "Sweep.ALL}");
    }

    @Test
    void unknownHookInAblatePatchAndCaptureSuggestsNearNames() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Ablate(layer = 1, hook = "attn.hook_patern")
                    double ablate(Logits logits) { return 0; }

                    @Patch(hook = "blocks.9.attn.hook_patern", from = "prompts", into = "prompts")
                    double patch(Logits logits) { return 0; }

                    @Run
                    double capture(@Capture("blocks.1.hook_resid_psot") Residual resid) { return 0; }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/UnknownHook] no hook point 'attn.hook_patern' in gpt2;"
                + " did you mean 'attn.hook_pattern'?").inFile(source).onLineContaining("hook = \"attn.hook_patern\"");
        assertThat(compilation).hadErrorContaining("[Experiment/UnknownHook] no hook point 'blocks.9.attn.hook_patern'"
                + " in gpt2; did you mean 'blocks.9.attn.hook_pattern'?").inFile(source).onLineContaining("@Patch");
        assertThat(compilation).hadErrorContaining("no hook point 'blocks.1.hook_resid_psot' in gpt2; did you mean"
                + " 'blocks.1.hook_resid_post'?").inFile(source).onLineContaining("@Capture");
        assertThat(compilation).hadErrorCount(3);
    }

    @Test
    void fullHookNameInALayerTheModelLacks() {
        assertError("""
                    @Run
                    double r(@Capture("blocks.12.attn.hook_pattern") AttentionPattern pattern) { return 0; }
                """, "[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)", "@Capture");
    }

    @Test
    void aGemma2ConfigHasPostNormsAndRotaryPointsAndKeyValueHeadRanges() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(config = "models/gemma2/config.json")
                class Probe {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Ablate(hook = "blocks.3.ln1_post.hook_normalized")
                    double post(Logits logits) { return 0; }

                    @Ablate(hook = "blocks.0.attn.hook_rot_k", head = 1)
                    double keys(Logits logits) { return 0; }

                    @Ablate(hook = "blocks.0.attn.hook_v", head = 2)
                    double values(Logits logits) { return 0; }
                }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[Experiment/KvHeadRange] key/value head 2 does not exist in"
                + " models/gemma2/config.json (kv heads 0..1)").inFile(source).onLineContaining("head = 2");
    }

    @Test
    void anUnsupportedRopeScalingFailsTheBuildOnTheConfig() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(config = "models/unknown-rope/config.json")
                class Probe {}
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/InvalidConfig] model config"
                        + " models/unknown-rope/config.json 'rope_scaling': rope type 'su' is not supported")
                .inFile(source).onLineContaining("models/unknown-rope");
    }

    @Test
    void hookOfAnotherArchitecture() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "pythia-70m")
                class Probe {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Ablate(hook = "hook_pos_embed")
                    double r(Logits logits) { return 0; }
                }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/HookNotInArchitecture] pythia-70m has no hook point"
                + " 'hook_pos_embed' (rotary positions").inFile(source).onLineContaining("hook_pos_embed");
    }

    @Test
    void hookInsideABlockNeedsALayer() {
        assertError("""
                    @Ablate(hook = "hook_mlp_out")
                    double r(Logits logits) { return 0; }
                """, "[Experiment/HookNeedsLayer] hook 'hook_mlp_out' is inside each block; give layer = ... or a full"
                + " name such as 'blocks.0.hook_mlp_out'", "hook_mlp_out");
    }

    @Test
    void captureNeedsAFullName() {
        assertError("""
                    @Run
                    double r(@Capture("attn.hook_pattern") AttentionPattern pattern) { return 0; }
                """, "[Experiment/HookNeedsLayer] hook 'attn.hook_pattern' is inside each block", "@Capture");
    }

    @Test
    void fullNameAndLayerTogether() {
        assertError("""
                    @Ablate(hook = "blocks.3.hook_mlp_out",
                            layer = 4)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/HookLayerTwice] hook 'blocks.3.hook_mlp_out' already names its layer", "layer = 4");
    }

    @Test
    void headsOnAHookWithoutAHeadAxis() {
        assertError("""
                    @Ablate(layer = 3, hook = "hook_mlp_out",
                            head = 2)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/NotHeadHook] 'hook_mlp_out' holds a Residual [batch, pos, d_model], which has no head"
                + " axis to select heads from", "head = 2");
    }

    @Test
    void neuronsOnAHookWithoutANeuronAxis() {
        assertError("""
                    @Ablate(layer = 3, hook = "hook_resid_post",
                            neuron = 7)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/NotNeuronHook] 'hook_resid_post' holds a Residual [batch, pos, d_model], which has no"
                + " neuron axis", "neuron = 7");
    }
}
