package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Rule 4 and the inputs: every run-method parameter binds to something the run provides, every input method can be
 * called, and every run knows which input the model runs on.
 */
class BindingValidationTest {

    private static void assertError(String members, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", members), message, line);
    }

    private static void assertErrorIn(String classText, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.experiment("Probe", classText), message, line);
    }

    @Test
    void captureOfTheWrongActivationType() {
        assertError("""
                    @Run
                    double r(@Capture("blocks.9.attn.hook_pattern") Residual p) { return 0; }
                """, "[Experiment/Binding] parameter 'p' is a Residual but blocks.9.attn.hook_pattern holds an"
                + " AttentionPattern [batch, head, query_pos, key_pos]", "Residual p");
    }

    @Test
    void parameterNothingProvides() {
        assertError("""
                    @Run
                    double r(Logits logits,
                            String note) { return 0; }
                """, "[Experiment/Binding] parameter 'note' (String) cannot be bound; a run method takes Logits,"
                + " ActivationCache, HookedTransformer, ModelConfig, an activation or NDArray with @Capture(\"hook"
                + " name\"), an @Input's value (prompts: TokenBatch), or an int named layer", "String note");
    }

    @Test
    void coordinateOfAnAxisTheRunDoesNotSweep() {
        assertError("""
                    @Ablate(layer = 3, head = Sweep.ALL)
                    double r(Logits logits, int head,
                            int layer) { return 0; }
                """, "[Experiment/CoordinateNotSwept] parameter 'layer' would take the swept layer, but run 'r' does"
                + " not sweep layers", "int layer");
    }

    @Test
    void inputParameterThatSeveralInputsFit() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    TokenBatch clean() { return null; }

                    @Input
                    TokenBatch corrupted() { return null; }

                    @Run(input = "clean")
                    double r(Logits logits, TokenBatch batch) { return 0; }
                }
                """, "[Experiment/AmbiguousInput] parameter 'batch' (TokenBatch) could take any of the inputs 'clean',"
                + " 'corrupted'; name it after the one it means", "TokenBatch batch");
    }

    @Test
    void privateInputMethod() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    private TokenBatch prompts() { return null; }
                }
                """, "[Experiment/InputMethod] @Input method 'prompts' is private", "private TokenBatch prompts");
    }

    @Test
    void inputMethodThatReturnsNothing() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    void prompts() {}
                }
                """, "[Experiment/InputMethod] @Input method 'prompts' returns nothing", "void prompts");
    }

    @Test
    void inputMethodWithParametersOtherThanTheModel() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    TokenBatch prompts(int count) { return null; }
                }
                """, "[Experiment/InputMethod] @Input method 'prompts' takes (int); an @Input method takes no"
                + " parameters or the HookedTransformer", "prompts(int count)");
    }

    @Test
    void duplicateInputNames() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Input("prompts")
                    TokenBatch others() { return null; }
                }
                """, "[Experiment/DuplicateInput] input name 'prompts' is also used by method 'prompts'",
                "@Input(\"prompts\")");
    }

    @Test
    void runOnAnUnknownInputSuggestsTheNearestName() {
        assertError("""
                    @Run(input = "promts")
                    double r(Logits logits) { return 0; }
                """, "[Experiment/UnknownInput] no @Input named 'promts'; did you mean 'prompts'? (inputs: prompts)",
                "promts");
    }

    @Test
    void patchFromAnInputThatDoesNotExist() {
        assertError("""
                    @Patch(hook = "hook_resid_pre", layer = 0,
                            into = "prompts")
                    double r(Logits logits) { return 0; }
                """, "[Experiment/UnknownInput] no @Input named 'clean' (inputs: prompts)", "@Patch");
    }

    @Test
    void runWithoutAnyInput() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Run
                    double r(Logits logits) { return 0; }
                }
                """, "[Experiment/NoInput] run 'r' has no input to run the model on; add an @Input method", "@Run");
    }

    @Test
    void runThatDoesNotSayWhichOfSeveralInputs() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    TokenBatch clean() { return null; }

                    @Input
                    TokenBatch corrupted() { return null; }

                    @Ablate(layer = 0, head = 0)
                    double r(Logits logits) { return 0; }
                }
                """, "[Experiment/NoInput] run 'r' must say which input the model runs on with @Run(input = ...)"
                + " (inputs: clean, corrupted)", "double r(");
    }

    @Test
    void inputTheModelCannotRunOn() {
        assertErrorIn("""
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    List<String> prompts() { return null; }

                    @Run
                    double r(Logits logits) { return 0; }
                }
                """, "[Experiment/InputType] input 'prompts' is a List<String>, which the model cannot run on; its"
                + " @Input method must return a TokenBatch or a ModelInput", "double r(");
    }

    @Test
    void everyKindOfBindingCompiles() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "gpt2")
                class Probe {
                    static final class Prompts implements dev.arrakis.experiment.ModelInput {
                        @Override
                        public TokenBatch tokens() { return null; }
                    }

                    @Input
                    Prompts prompts(HookedTransformer model) { return new Prompts(); }

                    @Input
                    static int[] labels() { return new int[0]; }

                    @Ablate(layer = Sweep.ALL, neuron = {1, 2}, sweep = Axis.NEURON)
                    @Plot(kind = PlotKind.HEATMAP)
                    double r(Logits logits, ActivationCache cache, HookedTransformer model, ModelConfig config,
                            Integer layer, int neuron, Prompts prompts, int[] labels,
                            @Capture("blocks.0.hook_resid_post") NDArray raw,
                            @Capture("blocks.0.attn.hook_z") HeadVectors z) { return 0; }
                }
                """);
        Compilation compilation = Compilations.compile(source);
        assertThat(compilation).succeeded();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                ".r(c.logits(), c.cache(), c.model(), c.config(), c.coordinate(Axis.LAYER), c.coordinate(Axis.NEURON),"
                        + " c.input(PROMPTS), c.input(LABELS), c.capture(BLOCKS_0_HOOK_RESID_POST),"
                        + " c.capture(BLOCKS_0_ATTN_HOOK_Z))");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "InputDefinition<Probe, int[]> LABELS = new InputDefinition<>(\"labels\", \"int[]\","
                        + " (e, m) -> Probe.labels());");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "TypedHook<HeadVectors> BLOCKS_0_ATTN_HOOK_Z = new TypedHook<>(\"blocks.0.attn.hook_z\","
                        + " HeadVectors.class);");
    }
}
