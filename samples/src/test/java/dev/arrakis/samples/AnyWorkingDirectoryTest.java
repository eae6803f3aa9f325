package dev.arrakis.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.cli.ArrakisCli;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.runs.RunStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as the {@code arrakis} launcher starts it (a JVM with {@code -Darrakis.home} set to the
 * installation), from a fresh directory outside the repository: the samples' model and the demo's are found, the
 * numbers are those of the reference checkpoint the samples' model was copied from, and the run store is where the
 * user says.
 */
class AnyWorkingDirectoryTest {
    private static final String SAMPLE_MODEL = "models/gpt2-tiny";
    private static final String REFERENCE_CHECKPOINT = "runtime/src/test/resources/reference/gpt2-prefixed";
    private static final List<String> SAMPLE_MODEL_FILES = List.of("config.json", "generation_config.json",
            "model.safetensors", "tokenizer.json", "tokenizer_config.json");
    /** Bounds a hung child; each command loads a 0.5 MB checkpoint and takes seconds. */
    private static final long CHILD_TIMEOUT_MINUTES = 5;

    private static Path home;

    @TempDir
    Path temporary;

    @BeforeAll
    static void findTheInstallation() {
        String property = System.getProperty("arrakis.test.projectDir");
        assertTrue(property != null && Files.isDirectory(Path.of(property)),
                () -> "system property arrakis.test.projectDir is '" + property + "'; run this test through Maven");
        home = Path.of(property).toAbsolutePath().normalize();
    }

    @Test
    void theSampleModelIsAByteIdenticalCopyOfTheReferenceCheckpoint() throws IOException {
        Path model = home.resolve(SAMPLE_MODEL);
        List<String> files;
        try (Stream<Path> listing = Files.list(model)) {
            files = listing.map(file -> file.getFileName().toString()).sorted().toList();
        }
        assertEquals(SAMPLE_MODEL_FILES, files, "files of " + model);
        for (String file : files) {
            Path copy = model.resolve(file);
            Path reference = home.resolve(REFERENCE_CHECKPOINT).resolve(file);
            long mismatch = Files.mismatch(copy, reference);
            assertEquals(-1, mismatch, () -> copy + " (" + size(copy) + " bytes) differs from " + reference + " ("
                    + size(reference) + " bytes) at byte " + mismatch);
        }
    }

    @Test
    void runFromAFreshDirectoryRecordsWhereArrakisRunsSays() throws IOException {
        Path work = Files.createDirectories(temporary.resolve("work"));
        Path store = temporary.resolve("elsewhere/runs");
        Outcome outcome = launch(work, Map.of(RunStore.ENVIRONMENT_VARIABLE, store.toString()),
                "run", "HeadAblation.baseline");
        assertEquals(0, outcome.code(), outcome.describe());
        List<String> lines = outcome.out().lines().toList();
        assertTrue(lines.size() >= 3 && lines.get(0).startsWith("HeadAblation.baseline  fingerprint "),
                outcome.describe());
        assertEquals(baselineOnTheReferenceCheckpoint(), lines.get(1), outcome.describe());
        assertTrue(lines.get(2).startsWith("recorded ") && lines.get(2).endsWith(" in " + store),
                "expected 'recorded ... in " + store + "'; " + outcome.describe());
        assertEquals(List.of(), entries(work), "the working directory " + work + " after a run with "
                + RunStore.ENVIRONMENT_VARIABLE + "=" + store);
    }

    @Test
    void runFromAFreshDirectoryWithoutAStoreRecordsInThatDirectory() throws IOException {
        Path work = Files.createDirectories(temporary.resolve("work"));
        Outcome outcome = launch(work, Map.of(), "run", "HeadAblation.baseline");
        assertEquals(0, outcome.code(), outcome.describe());
        Path store = work.resolve(RunStore.DEFAULT_DIRECTORY);
        assertTrue(outcome.out().contains(" in " + store + System.lineSeparator()),
                "expected the run recorded in " + store + "; " + outcome.describe());
        assertTrue(Files.isDirectory(store), store + " does not exist; " + outcome.describe());
    }

    @Test
    void listFromAFreshDirectoryShowsTheSamplesModel() throws IOException {
        Path work = Files.createDirectories(temporary.resolve("work"));
        Outcome outcome = launch(work, Map.of(), "list");
        assertEquals(0, outcome.code(), outcome.describe());
        assertTrue(outcome.out().contains("HeadAblation  model " + SAMPLE_MODEL + "/config.json  version "),
                outcome.describe());
        assertTrue(outcome.out().contains("ResidualPatching  model " + SAMPLE_MODEL + "/config.json  version "),
                outcome.describe());
    }

    @Test
    void demoFromAFreshDirectoryShowsWhatItShowsOnTheReferenceCheckpoint() throws IOException {
        Path work = Files.createDirectories(temporary.resolve("work"));
        Outcome outcome = launch(work, Map.of(), "demo");
        assertEquals(0, outcome.code(), outcome.describe());
        List<String> fromWork = outcome.out().lines().toList();
        assertEquals("model  gpt2 from " + home.resolve(SAMPLE_MODEL) + ": 2 layers x 4 heads, d_model 64",
                fromWork.get(0), outcome.describe());

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String reference = home.resolve(REFERENCE_CHECKPOINT).toString();
        int code = ArrakisCli.execute(new String[] {"demo", "--model", reference}, new PrintWriter(out),
                new PrintWriter(err));
        assertEquals(0, code, "demo --model " + reference + ": " + err);
        List<String> onReference = out.toString().lines().toList();
        assertEquals(onReference.subList(1, onReference.size()), fromWork.subList(1, fromWork.size()),
                "the demo from " + work + " against demo --model " + reference);
    }

    /** The baseline as the table prints it, computed in this JVM on the reference checkpoint. */
    private static String baselineOnTheReferenceCheckpoint() {
        RunnerOptions options = RunnerOptions.defaults().withCheckpoint(home.resolve(REFERENCE_CHECKPOINT));
        try (ExperimentRunner runner = ExperimentRunner.open(ExperimentRegistry.load(
                AnyWorkingDirectoryTest.class.getClassLoader()).find("HeadAblation"), options)) {
            return String.format(Locale.ROOT, "%.6f", ((Number) runner.run("baseline").value()).doubleValue());
        }
    }

    record Outcome(int code, String out, String err, Path workingDirectory) {
        String describe() {
            return "exit " + code + " in " + workingDirectory + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    /** {@code ArrakisCli} in a child JVM started as the launcher starts it, in {@code work}, with {@code env} set. */
    private Outcome launch(Path work, Map<String, String> env, String... arguments) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dai.djl.offline=true", "-Darrakis.home=" + home,
                "-cp", System.getProperty("java.class.path"), ArrakisCli.class.getName()));
        command.addAll(List.of(arguments));
        Path out = Files.createTempFile(temporary, "out", ".txt");
        Path err = Files.createTempFile(temporary, "err", ".txt");
        ProcessBuilder builder = new ProcessBuilder(command).directory(work.toFile())
                .redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().remove(RunStore.ENVIRONMENT_VARIABLE);
        builder.environment().remove("ARRAKIS_CLASSPATH");
        builder.environment().putAll(env);
        Process child = builder.start();
        try {
            if (!child.waitFor(CHILD_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                child.destroyForcibly().waitFor();
                throw new AssertionError(String.join(" ", arguments) + " did not finish within "
                        + CHILD_TIMEOUT_MINUTES + " minutes; stderr:\n" + Files.readString(err));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + String.join(" ", arguments), e);
        }
        return new Outcome(child.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8), work);
    }

    private static List<String> entries(Path directory) throws IOException {
        try (Stream<Path> listing = Files.list(directory)) {
            return listing.map(path -> path.getFileName().toString()).sorted().toList();
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }
}
