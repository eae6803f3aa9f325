package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import java.util.List;
import java.util.Map;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Rule 6: the runner must be able to create the experiment and call its methods from its package. */
class InstantiationValidationTest {

    private static void assertError(String classText, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.experiment("Outer", classText), message, line);
    }

    @Test
    void privateClass() {
        assertError("""
                class Outer {
                    @Experiment(model = "gpt2")
                    private static class Hidden {}
                }
                """, "[Experiment/NotInstantiable] the generated runner cannot create Hidden: it is private",
                "class Hidden");
    }

    @Test
    void abstractClass() {
        assertError("""
                @Experiment(model = "gpt2")
                abstract class Outer {}
                """, "[Experiment/NotInstantiable] the generated runner cannot create Outer: it is abstract",
                "abstract class Outer");
    }

    @Test
    void genericClass() {
        assertError("""
                @Experiment(model = "gpt2")
                class Outer<T> {}
                """, "[Experiment/NotInstantiable] the generated runner cannot create Outer: it is generic",
                "class Outer<T>");
    }

    @Test
    void innerClass() {
        assertError("""
                class Outer {
                    @Experiment(model = "gpt2")
                    class Inner {}
                }
                """, "[Experiment/NotInstantiable] the generated runner cannot create Inner: it is an inner class;"
                + " make it a static member class", "class Inner");
    }

    @Test
    void noConstructorWithoutParameters() {
        assertError("""
                @Experiment(model = "gpt2")
                class Outer {
                    Outer(int seed) {}
                }
                """, "[Experiment/NotInstantiable] the generated runner cannot create Outer: it has no non-private"
                + " constructor without parameters", "class Outer");
    }

    @Test
    void constructorThatThrowsCheckedExceptions() {
        assertError("""
                @Experiment(model = "gpt2")
                class Outer {
                    Outer() throws java.io.IOException {}
                }
                """, "[Experiment/NotInstantiable] the generated runner cannot create Outer: its constructor without"
                + " parameters throws IOException", "class Outer");
    }

    @Test
    void interfaceEnumAndRecordWithComponents() {
        JavaFileObject source = Compilations.experiment("Outer", """
                class Outer {
                    @Experiment(model = "gpt2")
                    interface Shape {}

                    @Experiment(model = "gpt2")
                    enum Kind { ONE }

                    @Experiment(model = "gpt2")
                    record Pair(int a, int b) {}
                }
                """);
        Compilation compilation = Compilations.compile(source);
        // ecj's messager places nothing on a record; EclipseCompilerTest measures it.
        Compilations.assertEcjAgrees(compilation, List.of(source), Map.of("cannot create Pair", Compilations.NO_LINE));
        assertThat(compilation).hadErrorContaining("cannot create Shape: it is an interface")
                .inFile(source).onLineContaining("interface Shape");
        assertThat(compilation).hadErrorContaining("cannot create Kind: it is an enum")
                .inFile(source).onLineContaining("enum Kind");
        assertThat(compilation).hadErrorContaining("cannot create Pair: it has no non-private constructor")
                .inFile(source).onLineContaining("record Pair");
        assertThat(compilation).hadErrorCount(3);
    }

    @Test
    void recordWithoutComponentsIsAnExperiment() {
        JavaFileObject source = Compilations.experiment("Outer", """
                class Outer {
                    @Experiment(model = "gpt2")
                    record Empty() {}
                }
                """);
        assertThat(Compilations.compile(source)).generatedSourceFile("test.Outer_Empty_Experiment");
    }

    @Test
    void privateRunMethod() {
        assertError("""
                @Experiment(model = "gpt2")
                class Outer {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Run
                    private double r(Logits logits) { return 0; }
                }
                """, "[Experiment/RunMethod] run method 'r' is private; the generated runner calls run methods on an"
                + " instance", "private double r");
    }

    @Test
    void staticRunMethod() {
        assertError("""
                @Experiment(model = "gpt2")
                class Outer {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Run
                    static double r(Logits logits) { return 0; }
                }
                """, "[Experiment/RunMethod] run method 'r' is static", "static double r");
    }

    @Test
    void staticMemberExperimentGetsARunnerNamedAfterItsPath() {
        JavaFileObject source = Compilations.experiment("Outer", """
                class Outer {
                    @Experiment(model = "gpt2")
                    static class Inner {
                        @Input
                        TokenBatch prompts() { return null; }

                        @Run
                        double r(Logits logits) { return 0; }
                    }
                }
                """);
        Compilation compilation = Compilations.compile(source);
        assertThat(compilation).succeeded();
        assertThat(compilation).generatedSourceFile("test.Outer_Inner_Experiment").contentsAsUtf8String()
                .contains("EXPERIMENT_CLASS = \"test.Outer$Inner\"");
    }
}
