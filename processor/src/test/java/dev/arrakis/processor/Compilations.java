package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import javax.tools.ToolProvider;

/** Compiling experiments with both processors, as a user's build does. */
final class Compilations {
    /** Imports every experiment in these tests may use, so each test shows only its class. */
    static final String IMPORTS = """
            import ai.djl.ndarray.NDArray;
            import dev.arrakis.annotations.*;
            import dev.arrakis.hooks.*;
            import dev.arrakis.model.HookedTransformer;
            import dev.arrakis.model.TokenBatch;
            import dev.arrakis.spec.ModelConfig;
            import java.util.List;
            """;

    private Compilations() {}

    /** The tiny GPT-2-shaped checkpoint of the runtime's tests. */
    private static final Path TINY_CHECKPOINT = Path.of("../runtime/src/test/resources/reference/gpt2-prefixed");

    /**
     * A user's project on disk, as a user's build compiles it: the tiny checkpoint copied to {@code model/}, and
     * {@code source} compiled by javac with the processors from this module's class path (as from a processor path)
     * into {@code target/classes}, with {@code -Aarrakis.projectDir=project}.
     *
     * @return the classes directory
     */
    static Path compileUserProject(Path project, Path source) throws IOException {
        Path model = Files.createDirectories(project.resolve("model"));
        for (String file : List.of("config.json", "model.safetensors")) {
            Files.copy(TINY_CHECKPOINT.resolve(file), model.resolve(file));
        }
        Path classes = Files.createDirectories(project.resolve("target/classes"));
        String classPath = System.getProperty("java.class.path");
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int code = ToolProvider.getSystemJavaCompiler().run(null, diagnostics, diagnostics,
                "-classpath", classPath, "-processorpath", classPath, "-Aarrakis.projectDir=" + project,
                "-d", classes.toString(), source.toString());
        assertEquals(0, code, "javac exited " + code + ":\n" + diagnostics.toString(StandardCharsets.UTF_8));
        assertTrue(Files.isRegularFile(classes.resolve(
                "META-INF/services/dev.arrakis.experiment.ExperimentDefinition")),
                "the processor registered no experiment:\n" + diagnostics.toString(StandardCharsets.UTF_8));
        return classes;
    }

    static Compiler compiler(String... options) {
        List<String> all = new ArrayList<>(List.of(options));
        all.add("-Aarrakis.projectDir=" + projectDir());
        return compilerWithoutProjectDir().withOptions(all);
    }

    /** Config paths are then looked up beside each source file and above it. */
    static Compiler compilerWithoutProjectDir() {
        return Compiler.javac().withProcessors(new ExperimentProcessor(), new ExperimentRegistryProcessor());
    }

    static Compilation compile(JavaFileObject... sources) {
        return compiler().compile(sources);
    }

    /** An experiment in package {@code test} with {@link #IMPORTS}; {@code body} starts at the annotations. */
    static JavaFileObject experiment(String simpleName, String body) {
        return JavaFileObjects.forSourceString("test." + simpleName, "package test;\n\n" + IMPORTS + "\n" + body);
    }

    /** An experiment that is only a class body away from valid: one input, named {@code prompts}. */
    static JavaFileObject gpt2Experiment(String simpleName, String members) {
        return experiment(simpleName, "@Experiment(model = \"gpt2\")\nclass " + simpleName + " {\n"
                + "    @Input\n    TokenBatch prompts() {\n        return null;\n    }\n\n" + members + "}\n");
    }

    /**
     * Asserts that javac reports an error containing {@code message} on the line containing {@code line}, and that
     * Eclipse's compiler (ecj, as Eclipse and VS Code build) reports the same processor messages on the same lines.
     *
     * @return javac's compilation, for further assertions
     */
    static Compilation assertErrorOnLine(JavaFileObject source, String message, String line) {
        return assertErrorOnLine(source, message, line, line);
    }

    /**
     * As {@link #assertErrorOnLine(JavaFileObject, String, String)}, where ecj puts this error on a coarser line
     * ({@code ecjLine}): without javac's trees a message about one element of an array attribute lands on the line
     * where the attribute starts.
     */
    static Compilation assertErrorOnLine(JavaFileObject source, String message, String line, String ecjLine) {
        Compilation javac = compile(source);
        assertThat(javac).hadErrorContaining(message).inFile(source).onLineContaining(line);
        assertEcjAgrees(javac, List.of(source), line.equals(ecjLine) ? Map.of() : Map.of(message, ecjLine));
        return javac;
    }

    /** As {@link #assertErrorOnLine(JavaFileObject, String, String)} for a warning in a compilation that succeeds. */
    static Compilation assertWarningOnLine(JavaFileObject source, String message, String line) {
        Compilation javac = compile(source);
        assertThat(javac).succeeded();
        assertThat(javac).hadWarningContaining(message).inFile(source).onLineContaining(line);
        assertEcjAgrees(javac, List.of(source), Map.of());
        return javac;
    }

    /**
     * Compiles with javac, and asserts that ecj reports the same processor messages on the same lines
     * ({@link #assertEcjAgrees}).
     *
     * @return javac's compilation, for assertions on what it reported
     */
    static Compilation compileComparingWithEcj(JavaFileObject... sources) {
        Compilation javac = compile(sources);
        assertEcjAgrees(javac, List.of(sources), Map.of());
        return javac;
    }

    /**
     * A processor message as a compiler reported it.
     *
     * @param kind {@code ERROR} or {@code WARNING} (a mandatory warning counts as a warning)
     * @param file the source's path below its source root, {@code test/Probe.java}
     * @param line 1-based
     * @param message the whole message
     */
    record Reported(Diagnostic.Kind kind, String file, long line, String message) implements Comparable<Reported> {
        static Diagnostic.Kind kind(Diagnostic<?> diagnostic) {
            return diagnostic.getKind() == Diagnostic.Kind.MANDATORY_WARNING ? Diagnostic.Kind.WARNING
                    : diagnostic.getKind();
        }

        @Override
        public int compareTo(Reported other) {
            return Comparator.comparing(Reported::file).thenComparingLong(Reported::line)
                    .thenComparing(Reported::message).thenComparing(Reported::kind).compare(this, other);
        }
    }

    /** In {@link #assertEcjAgrees}, a message that ecj reports with no file or line. */
    static final String NO_LINE = "";

    /**
     * Asserts that ecj, compiling the same sources with the same project directory, reports exactly the processor
     * messages javac reported, each of the same kind on the same line of the same file; except that a message
     * containing a key of {@code coarser} is expected on the line containing its value instead ({@link #NO_LINE}:
     * nowhere).
     */
    static void assertEcjAgrees(Compilation javac, List<JavaFileObject> sources, Map<String, String> coarser) {
        List<Reported> expected = javac.diagnostics().stream()
                .filter(diagnostic -> diagnostic.getMessage(Locale.ROOT).startsWith("[Experiment/"))
                .map(diagnostic -> {
                    String message = diagnostic.getMessage(Locale.ROOT);
                    String file = diagnostic.getSource() == null ? "" : relativePath(diagnostic.getSource());
                    long line = diagnostic.getLineNumber();
                    for (Map.Entry<String, String> entry : coarser.entrySet()) {
                        if (message.contains(entry.getKey()) && entry.getValue().equals(NO_LINE)) {
                            return new Reported(Reported.kind(diagnostic), "", 0, message);
                        }
                        if (message.contains(entry.getKey())) {
                            line = lineNumber(sources.stream()
                                    .filter(source -> relativePath(source).equals(file)).findFirst().orElseThrow(),
                                    entry.getValue());
                        }
                    }
                    return new Reported(Reported.kind(diagnostic), file, line, message);
                })
                .sorted()
                .toList();
        withTemporaryDirectory(directory -> {
            EcjCompilation ecj = EcjCompilation.compile(directory, projectDir(), sources);
            assertEquals(expected, ecj.processorMessages(), "the processors' messages under ecj, against javac's"
                    + " (expected) with the coarser lines " + coarser + "; ecj reported:\n" + ecj.describe());
        });
    }

    /** A source's path below its source root: compile-testing names in-memory sources {@code mem:///test/A.java}. */
    static String relativePath(JavaFileObject source) {
        String path = source.toUri().getPath();
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** The 1-based number of the one line of the source that contains {@code text}. */
    static long lineNumber(JavaFileObject source, String text) {
        List<String> lines;
        try {
            lines = source.getCharContent(true).toString().lines().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<Integer> matching = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(text)) {
                matching.add(i + 1);
            }
        }
        assertEquals(1, matching.size(), "lines containing \"" + text + "\": " + matching);
        return matching.get(0);
    }

    interface DirectoryUse {
        void accept(Path directory) throws IOException;
    }

    /** Runs {@code use} with a fresh directory, deleted afterwards. */
    static void withTemporaryDirectory(DirectoryUse use) {
        Path directory = null;
        try {
            directory = Files.createTempDirectory("arrakis-ecj");
            use.accept(directory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (directory != null) {
                delete(directory);
            }
        }
    }

    private static void delete(Path directory) {
        try (Stream<Path> files = Files.walk(directory)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JavaFileObject resourceSource(String qualifiedName, String resource) {
        return JavaFileObjects.forSourceString(qualifiedName, resourceText(resource));
    }

    static String resourceText(String resource) {
        try {
            return Files.readString(resourcePath(resource), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path resourcePath(String resource) {
        URL url = Compilations.class.getClassLoader().getResource(resource);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + resource);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The directory config paths in test experiments are relative to. */
    static Path projectDir() {
        return resourcePath("project");
    }
}
