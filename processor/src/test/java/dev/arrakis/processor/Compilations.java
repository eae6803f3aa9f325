package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.google.testing.compile.JavaFileObjects;
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
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;

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
     * Eclipse's compiler (ecj, as Eclipse and VS Code build) reports it on the same line.
     *
     * @return javac's compilation, for further assertions
     */
    static Compilation assertErrorOnLine(JavaFileObject source, String message, String line) {
        return assertErrorOnLine(source, message, line, line);
    }

    /**
     * As {@link #assertErrorOnLine(JavaFileObject, String, String)}, where ecj puts the error on a coarser line
     * ({@code ecjLine}): without javac's trees a message about one element of an array attribute lands on the line
     * where the attribute starts.
     */
    static Compilation assertErrorOnLine(JavaFileObject source, String message, String line, String ecjLine) {
        Compilation javac = compile(source);
        assertThat(javac).hadErrorContaining(message).inFile(source).onLineContaining(line);
        assertEcjErrorOnLine(List.of(source), source, message, ecjLine);
        return javac;
    }

    /** Asserts that ecj, compiling {@code sources}, reports an error containing {@code message} on that line. */
    static void assertEcjErrorOnLine(List<JavaFileObject> sources, JavaFileObject source, String message,
            String line) {
        long expected = lineNumber(source, line);
        withTemporaryDirectory(directory -> {
            EcjCompilation ecj = EcjCompilation.compile(directory, projectDir(), sources);
            Diagnostic<? extends JavaFileObject> error = ecj.error(message).orElseThrow(() -> new AssertionError(
                    "ecj reported no error containing \"" + message + "\"; it reported:\n" + ecj.describe()));
            assertEquals(expected, error.getLineNumber(), "ecj's line for \"" + message + "\" (expected the line"
                    + " containing \"" + line + "\"); it reported:\n" + ecj.describe());
        });
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
