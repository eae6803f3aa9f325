package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.NewClassTree;
import com.sun.source.tree.TypeCastTree;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreeScanner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The generated files, compared with golden copies byte for byte (named {@code .golden}: a {@code .java} file on the
 * class path at a generated class's path would be found and compiled by javac). Run with {@code -Dgolden.update=true} to rewrite
 * the golden files after an intended change, then review the diff.
 */
class GoldenOutputTest {
    private static final Pattern FINGERPRINT = Pattern.compile("FINGERPRINT = \"[0-9a-f]{64}\"");
    private static final String REGISTRY = "META-INF/services/dev.arrakis.experiment.ExperimentDefinition";
    private static Compilation compilation;
    private static JavaFileObject ioiHeads;
    private static JavaFileObject toyProbe;

    @BeforeAll
    static void compileGoldenExperiments() {
        ioiHeads = Compilations.resourceSource("golden.IoiHeads", "experiments/golden/IoiHeads.java");
        toyProbe = Compilations.resourceSource("golden.toy.ToyProbe", "experiments/golden/toy/ToyProbe.java");
        compilation = Compilations.compile(ioiHeads, toyProbe);
        assertThat(compilation).succeededWithoutWarnings();
    }

    /**
     * The fingerprint hashes javac's printout of the class, which may differ between JDK releases; FingerprintTest
     * covers it, so the golden copy holds a placeholder and this test stays about the emitter.
     */
    @Test
    void runnerMatchesGolden() throws IOException {
        String runner = generatedSource("golden.IoiHeads_Experiment");
        assertTrue(FINGERPRINT.matcher(runner).find(), () -> "no SHA-256 fingerprint in:\n" + runner);
        assertGolden("IoiHeads_Experiment.java.golden", FINGERPRINT.matcher(runner).replaceAll("FINGERPRINT = \"<sha-256>\""));
    }

    @Test
    void hooksClassMatchesGolden() throws IOException {
        assertGolden("ToyHooks.java.golden", generatedSource("golden.toy.ToyHooks"));
    }

    @Test
    void registryMatchesGolden() throws IOException {
        String registry = compilation.generatedFile(StandardLocation.CLASS_OUTPUT, REGISTRY)
                .orElseThrow()
                .getCharContent(true)
                .toString();
        assertGolden("registry.golden", registry);
    }

    /** The most arguments a generated constructor call may pass by position (an input: name, type, provider). */
    private static final int MAX_POSITIONAL_ARGUMENTS = 3;

    @Test
    void generatedCodeCompilesWithEveryLintAsError() {
        List<JavaFileObject> sources = new ArrayList<>(List.of(ioiHeads, toyProbe));
        sources.addAll(compilation.generatedSourceFiles());
        // The processors are off: -Xlint:processing warns about annotations no processor claims, which says
        // nothing about the generated code.
        Compilation strict = Compiler.javac().withOptions("-proc:none", "-Xlint:all", "-Werror").compile(sources);
        assertThat(strict).succeededWithoutWarnings();
    }

    /**
     * What the typed contract promises generated code: no casts (inputs, captures and the instance arrive typed) and
     * no positional constructor call of more than a few arguments (shapes and interventions are built by name).
     */
    @Test
    void generatedRunnersHaveNoCastsAndNoLongPositionalConstructors() throws IOException {
        List<String> found = new ArrayList<>();
        JavacTask task = (JavacTask) ToolProvider.getSystemJavaCompiler()
                .getTask(null, null, null, List.of("-proc:none"), null, compilation.generatedSourceFiles());
        for (CompilationUnitTree unit : task.parse()) {
            new TreeScanner<Void, Void>() {
                @Override
                public Void visitTypeCast(TypeCastTree cast, Void unused) {
                    found.add("cast " + cast);
                    return super.visitTypeCast(cast, unused);
                }

                @Override
                public Void visitNewClass(NewClassTree creation, Void unused) {
                    if (creation.getArguments().size() > MAX_POSITIONAL_ARGUMENTS) {
                        found.add(creation.getArguments().size() + "-argument constructor call " + creation);
                    }
                    return super.visitNewClass(creation, unused);
                }
            }.scan(unit, null);
        }
        assertTrue(compilation.generatedSourceFiles().size() >= 2,
                "runners generated: " + compilation.generatedSourceFiles().size());
        assertEquals(List.of(), found, "casts and long positional constructor calls in the generated sources");
    }

    @Test
    void gradleMetadataDeclaresBothProcessors() throws IOException {
        assertEquals(List.of(
                        "dev.arrakis.processor.ExperimentProcessor,isolating",
                        "dev.arrakis.processor.ExperimentRegistryProcessor,aggregating"),
                resourceLines("META-INF/gradle/incremental.annotation.processors"));
    }

    @Test
    void autoServiceRegistersBothProcessors() throws IOException {
        List<String> processors = new ArrayList<>();
        for (var url : Collections.list(getClass().getClassLoader()
                .getResources("META-INF/services/javax.annotation.processing.Processor"))) {
            try (InputStream in = url.openStream()) {
                processors.addAll(new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList());
            }
        }
        assertTrue(processors.containsAll(List.of("dev.arrakis.processor.ExperimentProcessor",
                "dev.arrakis.processor.ExperimentRegistryProcessor")), processors.toString());
    }

    private static List<String> resourceLines(String resource) throws IOException {
        try (InputStream in = GoldenOutputTest.class.getClassLoader().getResourceAsStream(resource)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .collect(Collectors.toList());
        }
    }

    private static String generatedSource(String qualifiedName) throws IOException {
        return compilation.generatedSourceFile(qualifiedName).orElseThrow(
                () -> new AssertionError("not generated: " + qualifiedName)).getCharContent(true).toString();
    }

    private static void assertGolden(String name, String actual) throws IOException {
        if (Boolean.getBoolean("golden.update")) {
            Files.writeString(Path.of("src/test/resources/golden", name), actual, StandardCharsets.UTF_8);
            return;
        }
        assertEquals(Compilations.resourceText("golden/" + name), actual, name + " differs from its golden copy");
    }
}
