package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Rule 7: a run method returns what the run store can record faithfully, checked when the class compiles rather than
 * found in the record as a Jackson dump of whatever came back.
 */
class ResultTypeValidationTest {
    private static final String ACCEPTED = "; a run method returns void, a number, a boolean or a String, an array,"
            + " collection or record of those, an NDArray or an activation";

    private static Compilation assertError(String members, String message, String line) {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", members);
        Compilation compilation = Compilations.assertErrorOnLine(source, message, line);
        assertThat(compilation).hadErrorCount(1);
        return compilation;
    }

    @Test
    void objectResult() {
        assertError("""
                    @Run
                    Object r(Logits logits) { return logits; }
                """, "[Experiment/ResultType] run method 'r' returns Object, which the run store cannot record"
                + ACCEPTED, "Object r(");
    }

    @Test
    void threadResult() {
        assertError("""
                    @Ablate(layer = 1, head = 0)
                    Thread r(Logits logits) { return Thread.currentThread(); }
                """, "[Experiment/ResultType] run method 'r' returns Thread, which the run store cannot record"
                + ACCEPTED, "Thread r(");
    }

    @Test
    void listOfThreads() {
        assertError("""
                    @Run
                    List<Thread> r(Logits logits) { return List.of(); }
                """, "[Experiment/ResultType] run method 'r' returns List<Thread>, which the run store cannot"
                + " record: each element of List<Thread> is a Thread" + ACCEPTED, "List<Thread> r(");
    }

    @Test
    void recordWithAThreadComponent() {
        assertError("""
                    record Stats(double mean, int[] counts, Thread worker) {}

                    @Run
                    Stats r(Logits logits) { return null; }
                """, "[Experiment/ResultType] run method 'r' returns Stats, which the run store cannot record:"
                + " component 'worker' of Stats is a Thread" + ACCEPTED, "Stats r(");
    }

    @Test
    void recordHoldingAnArrayWhoseValuesWouldBeLost() {
        assertError("""
                    record Captured(String label, NDArray values) {}

                    @Run
                    Captured r(@Capture("blocks.0.hook_resid_post") NDArray resid) { return null; }
                """, "[Experiment/ResultType] run method 'r' returns Captured, which the run store cannot record:"
                + " component 'values' of Captured is an NDArray, whose values are recorded only when it is the whole"
                + " result" + ACCEPTED, "Captured r(");
    }

    @Test
    void listOfActivations() {
        assertError("""
                    @Run
                    List<Residual> r(@Capture("blocks.0.hook_resid_post") Residual resid) { return null; }
                """, "[Experiment/ResultType] run method 'r' returns List<Residual>, which the run store cannot"
                + " record: each element of List<Residual> is a Residual, whose values are recorded only when it is"
                + " the whole result" + ACCEPTED, "List<Residual> r(");
    }

    @Test
    void bytesWouldBecomeBase64Text() {
        assertError("""
                    @Run
                    byte[] r(Logits logits) { return new byte[0]; }
                """, "[Experiment/ResultType] run method 'r' returns byte[], which the run store cannot record:"
                + " Jackson writes a byte[] as base64 text, not as numbers" + ACCEPTED, "byte[] r(");
    }

    @Test
    void listWhoseElementsCouldBeAnything() {
        assertError("""
                    @Run
                    List<?> r(Logits logits) { return List.of(); }
                """, "[Experiment/ResultType] run method 'r' returns List<?>, which the run store cannot record:"
                + " each element of List<?> is an Object" + ACCEPTED, "List<?> r(");
    }

    @Test
    void charIsNotANumber() {
        assertError("""
                    @Run
                    char r(Logits logits) { return 'a'; }
                """, "[Experiment/ResultType] run method 'r' returns char, which the run store cannot record"
                + ACCEPTED, "char r(");
    }

    @Test
    void plotOfAnUnrecordableResultGetsOnlyTheResultTypeError() {
        assertError("""
                    @Plot
                    @Ablate(layer = Sweep.ALL, head = 0)
                    Object r(Logits logits) { return null; }
                """, "[Experiment/ResultType] run method 'r' returns Object", "Object r(");
    }

    @Test
    void everyRecordableResultCompiles() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    record Summary(double mean, Integer count, boolean flipped, String note, long[] ids,
                            List<Double> diffs, Summary previous) {}

                    @Run
                    void nothing(Logits logits) {}

                    @Run
                    int count(Logits logits) { return 0; }

                    @Run
                    Float boxed(Logits logits) { return 0f; }

                    @Run
                    Number anyNumber(Logits logits) { return 0; }

                    @Run
                    java.math.BigDecimal exact(Logits logits) { return null; }

                    @Run
                    boolean flag(Logits logits) { return true; }

                    @Run
                    String text(Logits logits) { return ""; }

                    @Run
                    double[][] grid(Logits logits) { return null; }

                    @Run
                    Double[] boxes(Logits logits) { return null; }

                    @Run
                    String[] words(Logits logits) { return null; }

                    @Run
                    List<? extends Number> numbers(Logits logits) { return null; }

                    @Run
                    java.util.Set<List<Integer>> nested(Logits logits) { return null; }

                    @Run
                    java.util.ArrayList<Summary> summaries(Logits logits) { return null; }

                    @Run
                    Summary summary(Logits logits) { return null; }

                    @Run
                    <T extends Number> T bounded(Logits logits) { return null; }

                    @Run
                    NDArray array(@Capture("blocks.0.hook_resid_post") NDArray resid) { return resid; }

                    @Run
                    Residual residual(@Capture("blocks.0.hook_resid_post") Residual resid) { return resid; }

                    @Run
                    Logits logits(Logits logits) { return logits; }
                """);
        assertThat(Compilations.compile(source)).succeededWithoutWarnings();
        Compilations.withTemporaryDirectory(directory -> {
            EcjCompilation ecj = EcjCompilation.compile(directory, Compilations.projectDir(),
                    java.util.List.of(source));
            org.junit.jupiter.api.Assertions.assertTrue(ecj.succeeded(), ecj.describe());
        });
    }
}
