package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** How problems reach the researcher: all at once, each where it is, never as a crash of the compiler. */
class ReportingTest {

    @Test
    void everyProblemOfAClassIsReportedInOneCompilation() {
        JavaFileObject source = Compilations.experiment("Busy", """
                @Experiment(model = "gpt2")
                class Busy {
                    Busy(int seed) {}

                    @Input
                    TokenBatch prompts() { return null; }

                    @Ablate(layer = 12, head = 3)
                    double layerTooHigh(Logits logits) { return 0; }

                    @Ablate(layer = 1,
                            head = 12)
                    double headTooHigh(Logits logits) { return 0; }

                    @Run
                    double wrongType(@Capture("blocks.9.attn.hook_pattern") Residual p) { return 0; }

                    @Plot
                    void nothingToPlot(Logits logits) {}
                }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/NotInstantiable]").inFile(source)
                .onLineContaining("class Busy");
        assertThat(compilation).hadErrorContaining("[Experiment/LayerRange]").inFile(source)
                .onLineContaining("layer = 12");
        assertThat(compilation).hadErrorContaining("[Experiment/HeadRange]").inFile(source)
                .onLineContaining("head = 12");
        assertThat(compilation).hadErrorContaining("[Experiment/Binding]").inFile(source)
                .onLineContaining("Residual p");
        assertThat(compilation).hadErrorContaining("[Experiment/NotPlottable]").inFile(source)
                .onLineContaining("@Plot");
        assertThat(compilation).hadErrorCount(5);
    }

    @Test
    void problemInsideARepeatedAnnotationIsReportedOnItsLine() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Ablate(layer = 1, head = 0)
                    @Ablate(layer = {2,
                            40}, head = 0)
                    @Ablate(layer = 3,
                            head = 12)
                    double r(Logits logits) { return 0; }
                """);
        Compilation compilation = Compilations.compile(source);
        assertThat(compilation).hadErrorContaining("layer 40 does not exist").inFile(source).onLineContaining("40}");
        assertThat(compilation).hadErrorContaining("head 12 does not exist").inFile(source)
                .onLineContaining("head = 12");
        // Without javac's trees ecj finds each repeated annotation, but places an array element on its attribute.
        Compilations.assertEcjAgrees(compilation, List.of(source), Map.of("layer 40 does not exist", "layer = {2,"));
    }

    @Test
    void internalFailureIsAnErrorOnTheClassNotACrash() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(Logits logits) { return 0; }
                """);
        Compilation compilation = Compiler.javac()
                .withProcessors(new ExperimentProcessor(model -> {
                    throw new IllegalStateException("emitter exploded");
                }), new ExperimentRegistryProcessor())
                .compile(source);
        assertThat(compilation).hadErrorContaining("[Experiment/Internal] the Arrakis annotation processor failed on"
                + " this element; please report it:").inFile(source).onLineContaining("class Probe");
        assertThat(compilation).hadErrorContaining("java.lang.IllegalStateException: emitter exploded");
        assertTrue(compilation.errors().get(0).getMessage(null).contains("at dev.arrakis.processor."),
                () -> "the message carries the stack trace: " + compilation.errors().get(0).getMessage(null));
    }

    @Test
    void runAnnotationsOutsideAnExperimentClass() {
        JavaFileObject source = Compilations.experiment("Helper", """
                class Helper {
                    @Ablate(layer = 1, head = 1)
                    double r(Logits logits) { return 0; }
                }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/NotInExperiment] @Ablate is on a method of Helper,"
                + " which is not an @Experiment class; nothing would run it").inFile(source)
                .onLineContaining("@Ablate");
    }
}
