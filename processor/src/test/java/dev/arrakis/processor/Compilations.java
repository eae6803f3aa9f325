package dev.arrakis.processor;

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
import java.util.List;
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
