package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import java.io.IOException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The fingerprint follows the definition: the same source gives the same one, layout and comments do not count,
 * any change to an annotation or a body does.
 */
class FingerprintTest {
    private static final Pattern FINGERPRINT = Pattern.compile("FINGERPRINT = \"([0-9a-f]{64})\"");

    private static final String BASE = """
            @Experiment(model = "gpt2")
            class Probe {
                @Input
                TokenBatch prompts() { return null; }

                @Ablate(layer = 3, head = 2)
                double r(Logits logits) { return 1.0; }
            }
            """;

    private static String runner(Compiler compiler, String classText) throws IOException {
        Compilation compilation = compiler.compile(Compilations.experiment("Probe", classText));
        assertThat(compilation).succeeded();
        return compilation.generatedSourceFile("test.Probe_Experiment").orElseThrow().getCharContent(true).toString();
    }

    private static String fingerprint(Compiler compiler, String classText) throws IOException {
        String runner = runner(compiler, classText);
        Matcher matcher = FINGERPRINT.matcher(runner);
        assertTrue(matcher.find(), () -> "no " + FINGERPRINT + " in:\n" + runner);
        return matcher.group(1);
    }

    private static String fingerprint(String classText) throws IOException {
        return fingerprint(Compilations.compiler(), classText);
    }

    @Test
    void sameSourceSameFingerprint() throws IOException {
        assertEquals(fingerprint(BASE), fingerprint(BASE));
    }

    @Test
    void layoutAndCommentsDoNotCount() throws IOException {
        String reformatted = """
                /** An experiment. */
                @Experiment(model = "gpt2")
                class Probe {
                    // the data
                    @Input
                    TokenBatch prompts() {
                        return null;
                    }

                    @Ablate(layer = 3,   head = 2)   /* the head */
                    double r(Logits logits) {
                        return 1.0;
                    }
                }
                """;
        assertEquals(fingerprint(BASE), fingerprint(reformatted));
    }

    @Test
    void bodyChangeCounts() throws IOException {
        assertNotEquals(fingerprint(BASE), fingerprint(BASE.replace("return 1.0;", "return 2.0;")));
    }

    @Test
    void annotationChangeCounts() throws IOException {
        assertNotEquals(fingerprint(BASE), fingerprint(BASE.replace("head = 2", "head = 4")));
    }

    @Test
    void withoutCompilerTreesTheFingerprintCoversAnnotationsAndSignaturesOnly() throws IOException {
        String base = fingerprint(opaque(), BASE);
        assertEquals(base, fingerprint(opaque(), BASE));
        assertNotEquals(base, fingerprint(opaque(), BASE.replace("head = 2", "head = 4")));
        assertEquals(base, fingerprint(opaque(), BASE.replace("return 1.0;", "return 2.0;")),
                "bodies are invisible without trees");
        String runner = runner(opaque(), BASE);
        assertTrue(runner.contains("@dev.arrakis.annotations.Ablate(layer={3}, head={2})"),
                () -> "source() falls back to the declarations:\n" + runner);
    }

    /** Processors keep state per compilation, so each compilation gets new ones. */
    private static Compiler opaque() {
        return Compiler.javac().withProcessors(
                WrappedEnvironments.withoutCompilerTrees(new ExperimentProcessor()),
                WrappedEnvironments.withoutCompilerTrees(new ExperimentRegistryProcessor()));
    }
}
