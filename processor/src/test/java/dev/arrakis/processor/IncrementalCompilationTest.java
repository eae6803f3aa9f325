package dev.arrakis.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.annotation.processing.Processor;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An IDE-style incremental build on real directories: compile experiments A and B, then recompile only A with the
 * first build's classes on the class path and the same class output.
 */
class IncrementalCompilationTest {
    private static final String REGISTRY = "META-INF/services/dev.arrakis.experiment.ExperimentDefinition";

    @TempDir
    Path dir;

    private Path write(String relative, String text) throws IOException {
        Path file = dir.resolve("src").resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static String experiment(String packageName, String name, String model) {
        return """
                package %s;

                import dev.arrakis.annotations.Experiment;
                import dev.arrakis.annotations.Input;
                import dev.arrakis.annotations.Run;
                import dev.arrakis.hooks.Logits;
                import dev.arrakis.model.TokenBatch;

                @Experiment(model = "%s")
                public class %s {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Run
                    double r(Logits logits) { return 0; }
                }
                """.formatted(packageName, model, name);
    }

    private WrappedEnvironments.Recorder compile(Path generated, Path... sources) throws IOException {
        Path classes = dir.resolve("classes");
        Files.createDirectories(classes);
        Files.createDirectories(generated);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        WrappedEnvironments.Recorder recorder = new WrappedEnvironments.Recorder();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-d", classes.toString(), "-s", generated.toString(),
                    "-classpath", System.getProperty("java.class.path") + File.pathSeparator + classes);
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjects(sources));
            task.setProcessors(List.<Processor>of(
                    WrappedEnvironments.recording(new ExperimentProcessor(), recorder),
                    WrappedEnvironments.recording(new ExperimentRegistryProcessor(), recorder)));
            assertTrue(task.call(), diagnostics.getDiagnostics().toString());
        }
        return recorder;
    }

    private static List<String> filesUnder(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            return paths.filter(Files::isRegularFile)
                    .map(path -> root.relativize(path).toString().replace(File.separatorChar, '/'))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void recompilingOneExperimentRegeneratesOnlyItsRunnerAndKeepsTheOthersRegistered() throws IOException {
        Path a = write("a/A.java", experiment("a", "A", "gpt2"));
        Path b = write("b/B.java", experiment("b", "B", "pythia-70m"));
        compile(dir.resolve("generated-full"), a, b);
        assertEquals(List.of("a/A_Experiment.java", "a/Gpt2Hooks.java", "b/B_Experiment.java",
                "b/Pythia70mHooks.java"), filesUnder(dir.resolve("generated-full")));

        WrappedEnvironments.Recorder recorder = compile(dir.resolve("generated-again"), a);

        assertEquals(List.of("a/A_Experiment.java"), filesUnder(dir.resolve("generated-again")),
                "only A's runner; A's hooks class is on the class path already");
        assertEquals(List.of("a.A"), recorder.originating.get("a.A_Experiment"));
        assertEquals("a.A_Experiment\nb.B_Experiment\n",
                Files.readString(dir.resolve("classes").resolve(REGISTRY), StandardCharsets.UTF_8));
    }

    @Test
    void registryDropsARunnerThatNoLongerExists() throws IOException {
        Path a = write("a/A.java", experiment("a", "A", "gpt2"));
        Path classes = dir.resolve("classes").resolve("META-INF/services");
        Files.createDirectories(classes);
        Files.writeString(classes.resolve("dev.arrakis.experiment.ExperimentDefinition"), "gone.Gone_Experiment\n");
        compile(dir.resolve("generated"), a);
        assertEquals("a.A_Experiment\n",
                Files.readString(dir.resolve("classes").resolve(REGISTRY), StandardCharsets.UTF_8));
    }

    @Test
    void nameOfAnExperimentCompiledEarlierIsStillTaken() throws IOException {
        Path a = write("a/A.java", experiment("a", "A", "gpt2"));
        compile(dir.resolve("generated"), a);
        Path other = write("c/A.java", experiment("c", "A", "gpt2"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path classes = dir.resolve("classes");
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, null, StandardCharsets.UTF_8)) {
            JavaCompiler.CompilationTask task = javac.getTask(null, files, diagnostics,
                    List.of("-d", classes.toString(), "-proc:only",
                            "-classpath", System.getProperty("java.class.path") + File.pathSeparator + classes),
                    null, files.getJavaFileObjects(other));
            task.setProcessors(List.of(new ExperimentRegistryProcessor()));
            task.call();
        }
        assertTrue(diagnostics.getDiagnostics().stream().anyMatch(diagnostic -> diagnostic.getMessage(null)
                        .contains("[Experiment/DuplicateName] experiment name 'A' is also used by a.A")),
                diagnostics.getDiagnostics().toString());
    }
}
