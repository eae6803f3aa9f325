package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;

/**
 * {@code @Steer}: its layers and positions are checked like every intervention's, its hook must be a residual-stream
 * point, its coefficient a number and its vector an {@code @Input}; each error lands on the value at fault (gpt2: 12
 * layers). A valid one becomes an {@code Intervention.Steering} of the runner.
 */
class SteeringValidationTest {

    private static final String VECTOR_INPUT = """
                @Input
                dev.arrakis.tools.steering.SteeringVector direction() { return null; }

            """;

    @Test
    void aLayerTheModelLacksFailsOnIt() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(coefficient = 4, vector = "direction",
                            layer = 12)
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """), "[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)", "layer = 12");
    }

    @Test
    void aHookOutsideTheResidualStreamFailsOnTheHook() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = 1, coefficient = 4, vector = "direction",
                            hook = "hook_mlp_out")
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """), "[Experiment/Steer] steering adds to the residual stream; 'hook_mlp_out' is none of"
                + " hook_resid_pre, hook_resid_mid, hook_resid_post", "hook = \"hook_mlp_out\"");
    }

    @Test
    void aVectorThatIsNoInputFailsOnTheName() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = 1, coefficient = 4,
                            vector = "directoin")
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """), "[Experiment/UnknownInput] no @Input named 'directoin'; did you mean 'direction'?",
                "vector = \"directoin\"");
    }

    @Test
    void anInfiniteCoefficientFailsOnTheAnnotation() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = 1, vector = "direction", coefficient = 1.0 / 0.0)
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """), "[Experiment/Steer] coefficient Infinity is not a finite number", "@Steer(layer = 1");
    }

    @Test
    void anEmptyCoefficientListFailsOnIt() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = 1, vector = "direction",
                            coefficient = {})
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """), "[Experiment/Steer] @Steer lists no coefficient; give one (coefficient = 1) or several to sweep"
                + " (coefficient = {0, 0.5, 1})", "coefficient = {}");
    }

    @Test
    void anInfiniteCoefficientInAListFailsOnTheAnnotation() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = 1, vector = "direction", coefficient = {0, 1.0 / 0.0})
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """), "[Experiment/Steer] coefficient Infinity is not a finite number", "@Steer(layer = 1");
    }

    @Test
    void aCoefficientListBecomesTheSweptCoefficientsOfTheRunner() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = 1, coefficient = {0, 0.5, 1}, vector = "direction")
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """));
        assertThat(compilation).succeeded();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                ".intervention(Intervention.Steering.builder(\"hook_resid_pre\", \"direction\", 0.0)"
                        + ".coefficients(0.0, 0.5, 1.0).layers(Selection.of(1)).build())");
    }

    @Test
    void aValidSteeringBecomesAnInterventionOfTheRunner() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", VECTOR_INPUT + """
                    @Steer(layer = Sweep.ALL, coefficient = 2.5, vector = "direction", positions = -1)
                    @Run(input = "prompts")
                    double r(Logits logits) { return 0; }
                """));
        assertThat(compilation).succeeded();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                ".intervention(Intervention.Steering.builder(\"hook_resid_pre\", \"direction\", 2.5)"
                        + ".layers(Selection.everyIndex()).positions(Selection.of(-1)).build())");
    }
}
