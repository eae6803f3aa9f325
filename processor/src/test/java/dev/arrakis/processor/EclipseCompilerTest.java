package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import com.google.testing.compile.JavaFileObjects;
import dev.arrakis.processor.emit.HooksNaming;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eclipse and VS Code's Java tooling compile with Eclipse's compiler (ecj), which has no javac tree API: the
 * processors generate the same hooks classes and runners there (the fingerprint and source text aside, which need
 * the trees), and put every error on the line javac does, or where ecj cannot, on the line of its attribute. The
 * negative tests check each error under both compilers through {@link Compilations#assertErrorOnLine}.
 */
class EclipseCompilerTest {
    private static final Path SAMPLES = Path.of("..", "samples", "src", "main", "java", "dev", "arrakis", "samples",
            "experiments");
    /** What needs javac's trees: the fingerprint hashes the parsed class, the source is its text as written. */
    private static final Pattern TREE_DEPENDENT = Pattern.compile(
            "(?s)FINGERPRINT = \"[0-9a-f]{64}\"|String SOURCE = String\\.join\\(.*?\"\\);\n");

    @TempDir
    Path directory;

    @Test
    void goldenExperimentsGenerateWhatJavacGenerates() throws IOException {
        JavaFileObject ioiHeads = Compilations.resourceSource("golden.IoiHeads", "experiments/golden/IoiHeads.java");
        JavaFileObject toyProbe = Compilations.resourceSource("golden.toy.ToyProbe",
                "experiments/golden/toy/ToyProbe.java");
        EcjCompilation ecj = EcjCompilation.compile(directory, Compilations.projectDir(), List.of(ioiHeads, toyProbe));
        assertTrue(ecj.succeeded(), ecj.describe());
        assertEquals(List.of("golden/Gpt2Hooks.java", "golden/IoiHeads_Experiment.java", "golden/toy/ToyHooks.java",
                "golden/toy/ToyProbe_Experiment.java"), ecj.generatedSourceFiles(), "generated under ecj");

        Compilation javac = Compilations.compile(ioiHeads, toyProbe);
        assertThat(javac).succeededWithoutWarnings();
        for (String file : ecj.generatedSourceFiles()) {
            String qualifiedName = file.replace(".java", "").replace('/', '.');
            String byJavac = javac.generatedSourceFile(qualifiedName).orElseThrow().getCharContent(true).toString();
            String byEcj = Files.readString(ecj.generatedSources().resolve(file), StandardCharsets.UTF_8);
            assertEquals(withoutTreeDependentParts(byJavac), withoutTreeDependentParts(byEcj),
                    file + " under ecj, fingerprint and source aside");
        }
        assertEquals(Compilations.resourceText("golden/registry.golden"), Files.readString(ecj.classes()
                        .resolve("META-INF/services/dev.arrakis.experiment.ExperimentDefinition")),
                "registry under ecj");
        assertCompiled(ecj, "golden/IoiHeads_Experiment.class", "golden/toy/ToyHooks.class",
                "golden/toy/ToyProbe_Experiment.class");
    }

    @Test
    void samplesCompileAndGenerateTheirRunnersAndHooks() throws IOException {
        List<JavaFileObject> samples;
        try (Stream<Path> files = Files.list(SAMPLES)) {
            samples = files.sorted().map(EclipseCompilerTest::sample).toList();
        }
        Path repository = Path.of("..").toAbsolutePath().normalize();
        EcjCompilation ecj = EcjCompilation.compile(directory, repository, samples);
        assertTrue(ecj.succeeded(), ecj.describe());
        String prefix = "dev/arrakis/samples/experiments/";
        List<String> experiments = new ArrayList<>();
        Set<String> hooksClasses = new TreeSet<>();
        // A sample names its model by config path, or by catalogue name (IndirectObjectIdentification: "gpt2").
        Pattern model = Pattern.compile("\n@Experiment\\((config|model) = \"([^\"]+)\"");
        try (Stream<Path> files = Files.list(SAMPLES)) {
            for (Path file : files.sorted().toList()) {
                Matcher experiment = model.matcher(Files.readString(file));
                if (experiment.find()) {
                    experiments.add(file.getFileName().toString().replace(".java", "_Experiment"));
                    hooksClasses.add(experiment.group(1).equals("config")
                            ? HooksNaming.hooksClassForConfig(experiment.group(2))
                            : HooksNaming.hooksClassForModel(experiment.group(2)));
                }
            }
        }
        assertTrue(experiments.size() >= 2 && hooksClasses.size() >= 2,
                "sample experiments found: " + experiments + ", models: " + hooksClasses);
        List<String> generated = new ArrayList<>();
        hooksClasses.forEach(hooks -> generated.add(prefix + hooks + ".java"));
        experiments.forEach(runner -> generated.add(prefix + runner + ".java"));
        generated.sort(null);
        assertEquals(generated, ecj.generatedSourceFiles(), "generated under ecj");
        assertCompiled(ecj, generated.stream().map(file -> file.replace(".java", ".class")).toArray(String[]::new));
        assertEquals(experiments.stream().map(runner -> "dev.arrakis.samples.experiments." + runner).toList(),
                Files.readAllLines(ecj.classes().resolve(
                        "META-INF/services/dev.arrakis.experiment.ExperimentDefinition")), "registry under ecj");
    }

    /** Measured: ecj places a message on an attribute's whole value, not on one element of an array. */
    @Test
    void errorOnAnArrayElementOnALaterLineLandsOnItsAttributesLine() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Ablate(layer = 1,
                            head = {0,
                                12})
                    double r(Logits logits) { return 0; }
                """);
        Compilations.assertErrorOnLine(source, "[Experiment/HeadRange] head 12 does not exist in gpt2 (heads 0..11)",
                "12})", "head = {0,");
    }

    /**
     * Measured: ecj loses a parameter's position in a class re-read in a later round (one that waited for a hooks
     * class of the same compilation), so the message goes on the parameter's method.
     */
    @Test
    void errorOnAParameterOfADeferredClassLandsOnItsMethodsLine() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Run
                    double pattern(Logits logits,
                            @Capture(Gpt2Hooks.L1_ATTN_PATTERN) Residual p) { return 0; }
                """);
        Compilations.assertErrorOnLine(source, "[Experiment/Binding] parameter 'p' is a Residual but"
                + " blocks.1.attn.hook_pattern holds an AttentionPattern", "Residual p", "double pattern(");
    }

    /** Measured: ecj's messager gives a message on a record, or on a record's annotation, no position at all. */
    @Test
    void errorOnARecordHasNoLineUnderEcj() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(model = "gtp2")
                record Probe(int seed) {
                    @Input
                    TokenBatch prompts() { return null; }
                }
                """);
        Compilation javac = Compilations.compile(source);
        assertThat(javac).hadErrorContaining("[Experiment/UnknownModel] unknown model 'gtp2'").inFile(source)
                .onLineContaining("gtp2");
        assertThat(javac).hadErrorContaining("[Experiment/NotInstantiable] the generated runner cannot create Probe")
                .inFile(source).onLineContaining("record Probe");
        Compilations.assertEcjAgrees(javac, List.of(source), Map.of("unknown model 'gtp2'", Compilations.NO_LINE,
                "cannot create Probe", Compilations.NO_LINE));
    }

    /** Without javac's trees the processor cannot see where a source file is, so a config path needs the option. */
    @Test
    void withoutAProjectDirectoryAConfigPathNeedsTheOption() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(config = "models/toy/config.json")
                class Probe {}
                """);
        EcjCompilation ecj = EcjCompilation.compile(directory, null, List.of(source));
        assertEquals(List.of(new Compilations.Reported(Diagnostic.Kind.ERROR, "test/Probe.java",
                Compilations.lineNumber(source, "models/toy"), "[Experiment/ConfigNotFound] cannot look for model"
                + " config 'models/toy/config.json' beside the source file: the compiler does not say where it is on"
                + " disk; set the processor option arrakis.projectDir")), ecj.processorMessages(), ecj.describe());
    }

    private static JavaFileObject sample(Path file) {
        try {
            String simpleName = file.getFileName().toString().replace(".java", "");
            return JavaFileObjects.forSourceString("dev.arrakis.samples.experiments." + simpleName,
                    Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String withoutTreeDependentParts(String source) {
        return TREE_DEPENDENT.matcher(source).replaceAll("<needs javac's trees>");
    }

    private static void assertCompiled(EcjCompilation ecj, String... classFiles) {
        for (String classFile : classFiles) {
            assertTrue(Files.isRegularFile(ecj.classes().resolve(classFile)), classFile + " compiled by ecj; it"
                    + " reported:\n" + ecj.describe());
        }
    }
}
