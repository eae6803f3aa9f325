package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * A method that looks like an input but lacks {@code @Input} is one mistake: one error on that method, saying which
 * runs need it, instead of an error for every run that cannot bind it or has nothing to run the model on.
 */
class MissingInputTest {
    private static final String PROMPTS = """
                static final class Prompts implements dev.arrakis.experiment.ModelInput {
                    @Override
                    public TokenBatch tokens() { return null; }
                }
            """;

    @Test
    void modelInputWithoutItsAnnotationIsOneErrorNamingEveryRunThatNeedsIt() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "gpt2")
                class Probe {
                """ + PROMPTS + """

                    Prompts prompts() { return new Prompts(); }

                    @Run
                    double baseline(Logits logits, Prompts prompts) { return 0; }

                    @Ablate(layer = Sweep.ALL, head = Sweep.ALL)
                    double eachHead(Logits logits, Prompts prompts) { return 0; }

                    @Ablate(layer = 1, head = 0)
                    double justLogits(Logits logits) { return 0; }
                }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/MissingInput] prompts() returns"
                + " Prompts, which runs 'baseline', 'eachHead' and 'justLogits' need; annotate it with @Input",
                "Prompts prompts()");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void dataInputWithoutItsAnnotation() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    static int[] labels() { return new int[0]; }

                    @Run
                    double r(Logits logits, int[] labels) { return 0; }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/MissingInput] labels() returns"
                + " int[], which run 'r' needs; annotate it with @Input", "int[] labels()");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void inputNamedByARunWithoutItsAnnotation() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    TokenBatch other() { return null; }

                    @Run(input = "other")
                    double r(Logits logits) { return 0; }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/MissingInput] other() returns"
                + " TokenBatch, which run 'r' needs; annotate it with @Input", "TokenBatch other()");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void patchInputsWithoutTheirAnnotationAreAnErrorEach() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "gpt2")
                class Probe {
                    TokenBatch clean() { return null; }

                    TokenBatch corrupted(HookedTransformer model) { return null; }

                    @Patch(hook = "hook_resid_pre", layer = Sweep.ALL)
                    double r(Logits logits) { return 0; }
                }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/MissingInput] clean() returns"
                + " TokenBatch, which run 'r' needs; annotate it with @Input", "TokenBatch clean()");
        assertThat(compilation).hadErrorContaining("[Experiment/MissingInput] corrupted() returns TokenBatch, which"
                + " run 'r' needs; annotate it with @Input").inFile(source).onLineContaining("TokenBatch corrupted(");
        assertThat(compilation).hadErrorCount(2);
    }

    @Test
    void methodsThatCannotBeInputsOrOverrideAreNoHint() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Override
                    public String toString() { return "probe"; }

                    String describe(int depth) { return ""; }

                    @Run
                    double r(Logits logits, String note) { return 0; }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/Binding] parameter 'note'"
                + " (String) cannot be bound", "String note");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void unsweptCoordinateIsNotMistakenForAMissingInput() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    int layer() { return 3; }

                    @Ablate(layer = 3, head = Sweep.ALL)
                    double r(Logits logits, int head, int layer) { return 0; }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/CoordinateNotSwept] parameter"
                + " 'layer' would take the swept layer", "int layer) {");
        assertThat(compilation).hadErrorCount(1);
    }

    @Test
    void inputMethodWithAnErrorOfItsOwnCausesNoFurtherErrors() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "gpt2")
                class Probe {
                    @Input
                    private TokenBatch prompts() { return null; }

                    @Run
                    double r(Logits logits, TokenBatch prompts) { return 0; }
                }
                """);
        Compilation compilation = Compilations.assertErrorOnLine(source, "[Experiment/InputMethod] @Input method"
                + " 'prompts' is private", "private TokenBatch prompts()");
        assertThat(compilation).hadErrorCount(1);
    }

    /** The sample that issue 11 counted errors on, with its one {@code @Input} taken away: eight errors before. */
    @Test
    void headAblationSampleWithoutItsInputAnnotationIsOneError() throws IOException {
        Path samples = Path.of("..", "samples", "src", "main", "java", "dev", "arrakis", "samples", "experiments");
        String original = Files.readString(samples.resolve("HeadAblation.java"), StandardCharsets.UTF_8);
        String withoutInput = original.replace("    @Input\n    PromptPairs prompts() {", "    PromptPairs prompts() {");
        assertEquals(original.length() - "    @Input\n".length(), withoutInput.length(), "@Input removed once");
        JavaFileObject headAblation = JavaFileObjects.forSourceString("dev.arrakis.samples.experiments.HeadAblation",
                withoutInput);
        JavaFileObject promptPairs = JavaFileObjects.forSourceString("dev.arrakis.samples.experiments.PromptPairs",
                Files.readString(samples.resolve("PromptPairs.java"), StandardCharsets.UTF_8));
        Compilation compilation = Compilations.compilerWithoutProjectDir()
                .withOptions("-Aarrakis.projectDir=" + Path.of("..").toAbsolutePath().normalize())
                .compile(headAblation, promptPairs);
        List<String> errors = compilation.errors().stream()
                .map(error -> error.getLineNumber() + ": " + error.getMessage(Locale.ROOT))
                .toList();
        assertEquals(List.of(Compilations.lineNumber(headAblation, "PromptPairs prompts()") + ": [Experiment/"
                + "MissingInput] prompts() returns PromptPairs, which runs 'baseline', 'eachHead', 'twoHeadsTogether'"
                + " and 'meanAblatedNeurons' need; annotate it with @Input"), errors, "errors");
    }
}
