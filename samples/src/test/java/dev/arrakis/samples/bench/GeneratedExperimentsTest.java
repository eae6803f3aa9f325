package dev.arrakis.samples.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classes ProcessorBenchmark times must compile without a single error or warning, with the processor and
 * without it, or its figure would time a failed build; with the processor, each gets its generated runner.
 */
class GeneratedExperimentsTest {
    private static final int CLASSES = 10;

    @TempDir
    static Path work;

    private static ProcessorBenchmark.ExperimentCompiler compiler;
    private static List<Path> sources;

    @BeforeAll
    static void writeSources() throws IOException {
        // Set by samples/pom.xml, as for the docs' code blocks: the processor jar and JavaPoet.
        String processorPath = System.getProperty("arrakis.test.processorPath");
        Path projectDir = Path.of(System.getProperty("arrakis.test.projectDir")).toAbsolutePath().normalize();
        compiler = new ProcessorBenchmark.ExperimentCompiler(System.getProperty("java.class.path"), processorPath,
                projectDir);
        sources = ProcessorBenchmark.write(GeneratedExperiments.sources(CLASSES), work.resolve("src"));
    }

    @Test
    void theProcessorAcceptsEveryClassAndGeneratesItsRunner() {
        ProcessorBenchmark.Compiled compiled = compiler.inProcess(sources, work.resolve("with"), true);

        assertEquals(List.of(), compiled.problems(), "problems compiling " + sources.size() + " classes");
        List<String> runners = compiled.generated().stream().filter(name -> name.endsWith("_Experiment.java"))
                .toList();
        List<String> expected = IntStream.range(0, CLASSES).mapToObj(i -> "Experiment" + i + "_Experiment.java")
                .sorted().toList();
        assertEquals(expected, runners, "generated runners among " + compiled.generated());
    }

    @Test
    void withoutTheProcessorTheSameClassesCompileAndNothingIsGenerated() {
        ProcessorBenchmark.Compiled compiled = compiler.inProcess(sources, work.resolve("without"), false);

        assertEquals(List.of(), compiled.problems(), "problems compiling " + sources.size() + " classes");
        assertEquals(List.of(), compiled.generated(), "files generated with -proc:none");
    }
}
