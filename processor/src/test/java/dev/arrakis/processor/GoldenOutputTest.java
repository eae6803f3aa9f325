package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.Compiler;
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

    @Test
    void generatedCodeCompilesWithEveryLintAsError() {
        List<JavaFileObject> sources = new ArrayList<>(List.of(ioiHeads, toyProbe));
        sources.addAll(compilation.generatedSourceFiles());
        // The processors are off: -Xlint:processing warns about annotations no processor claims, which says
        // nothing about the generated code.
        Compilation strict = Compiler.javac().withOptions("-proc:none", "-Xlint:all", "-Werror").compile(sources);
        assertThat(strict).succeededWithoutWarnings();
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
