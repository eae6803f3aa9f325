package dev.arrakis.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.arrakis.cli.ArrakisCli;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own project, outside the repository: its source and checkpoint in a temporary directory, compiled by javac
 * with the Arrakis processors as a user's build runs them, then listed and run through the command line with
 * {@code --class-path}, as docs/cli.md tells users to.
 */
class UserProjectCliTest {
    private static final long[] PROMPT = {5, 17, 3, 99};

    /** The docs' user-project page; its experiment is compiled from there, so the page cannot drift. */
    private static final Path CLI_DOC = Path.of("..").resolve("docs/cli.md");
    private static final String SOURCE_CAPTION = "`src/main/java/org/example/probe/Probe.java`:";

    @TempDir
    static Path project;

    private static Path classes;

    @BeforeAll
    static void writeAndCompileTheProject() throws IOException {
        Path source = project.resolve("src/main/java/org/example/probe/Probe.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, javaBlockAfter(SOURCE_CAPTION), StandardCharsets.UTF_8);
        classes = Compilations.compileUserProject(project, source);
    }

    @Test
    void listShowsTheUsersExperimentOnlyWithItsClassPath() {
        Outcome without = cli("list");
        assertEquals(0, without.code(), without.err());
        assertTrue(!without.out().contains("org.example.probe.Probe"),
                "org.example.probe.Probe listed without --class-path:\n" + without.out());

        Outcome with = cli("list", "--class-path", classes.toString());
        assertEquals(0, with.code(), with.err());
        assertTrue(with.out().contains("Probe  model model/config.json"), with.out());
        assertTrue(with.out().contains("(org.example.probe.Probe)"), with.out());
        assertTrue(with.out().contains("\n  Probe.eachHead  ablate zero layer=[0] head=all"), with.out());
        assertTrue(with.out().contains("\n  Probe.logitDiff"), with.out());
    }

    @Test
    void runComputesWhatTheModelComputesDirectly() {
        Outcome plain = cli("run", "--class-path", classes.toString(), "--project-dir", project.toString(),
                "--no-record", "Probe.logitDiff");
        assertEquals(0, plain.code(), plain.err());
        assertResults(plain, "", direct(-1));

        Outcome sweep = cli("run", "--class-path", classes.toString(), "--project-dir", project.toString(),
                "--no-record", "Probe.eachHead", "head=1,3");
        assertEquals(0, sweep.code(), sweep.err());
        assertResults(sweep, "head=1  ", direct(1), "head=3  ", direct(3));
    }

    /**
     * The test's working directory is the processor module, outside the project: the config is found where the build
     * found it, as for a user who runs the launcher from anywhere but their project.
     */
    @Test
    void runFindsTheConfigWhereTheBuildFoundItFromAnotherDirectory() {
        Path workingDirectory = Path.of("").toAbsolutePath();
        assertTrue(!workingDirectory.startsWith(project), "the working directory " + workingDirectory
                + " must lie outside the project " + project);
        Outcome plain = cli("run", "--class-path", classes.toString(), "--no-record", "Probe.logitDiff");
        assertEquals(0, plain.code(), plain.err());
        assertResults(plain, "", direct(-1));
    }

    @Test
    void aMissingClassPathEntryIsNamed() {
        Path missing = project.resolve("target/no-such-classes");
        Outcome outcome = cli("list", "--class-path", missing.toString());
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), outcome.err());
        assertEquals("list: class path entry '" + missing + "' does not exist (" + missing + ")"
                + System.lineSeparator(), outcome.err());
    }

    /** The ```java block that follows the line {@code caption} in the docs' user-project page. */
    private static String javaBlockAfter(String caption) throws IOException {
        List<String> lines = Files.readAllLines(CLI_DOC, StandardCharsets.UTF_8);
        int at = lines.indexOf(caption);
        assertTrue(at >= 0, "docs/cli.md has no line " + caption);
        int open = at + 1;
        while (open < lines.size() && !lines.get(open).startsWith("```java")) {
            open++;
        }
        int close = open + 1;
        while (close < lines.size() && !lines.get(close).startsWith("```")) {
            close++;
        }
        assertTrue(close < lines.size(), "docs/cli.md: no closed ```java block after " + caption);
        return String.join("\n", lines.subList(open + 1, close)) + "\n";
    }

    /** The result lines of a run: every line after its header ("Probe.eachHead  fingerprint ..."). */
    private static List<String> resultLines(Outcome outcome) {
        return outcome.out().lines().skip(1).toList();
    }

    /**
     * The run's result lines are the labels (empty for a single point) each followed by its value to 6 decimals; each
     * value equals the direct computation's within float rounding (the engine's pass starts from its base run and
     * unembeds the row it reads, so the last bit may differ from a plain forward pass).
     *
     * @param expected label, value, label, value, ...
     */
    private static void assertResults(Outcome outcome, Object... expected) {
        List<String> lines = resultLines(outcome);
        assertEquals(expected.length / 2, lines.size(), outcome.out());
        for (int i = 0; i < lines.size(); i++) {
            String label = (String) expected[2 * i];
            double value = (Double) expected[2 * i + 1];
            String line = lines.get(i);
            assertTrue(line.startsWith(label), "expected '" + label + "...' but got '" + line + "'");
            double printed = Double.parseDouble(line.substring(label.length()).trim());
            assertEquals(value, printed, 2e-6, "printed '" + line + "', direct computation gives "
                    + String.format(Locale.ROOT, "%.7f", value));
        }
    }

    /** logit(5) - logit(17) at the prompt's last position, with layer 0's head zero-ablated (-1: none). */
    private static double direct(int head) {
        try (HookedTransformer model = HookedTransformer.load(project.resolve("model"))) {
            RunOptions options = head < 0 ? RunOptions.none()
                    : RunOptions.none().withHook("blocks.0.attn.hook_z", Interventions.zeroHeads(head));
            try (ForwardResult result = model.run(TokenBatch.of(PROMPT), options)) {
                NDArray last = result.logits().get(0, PROMPT.length - 1);
                return last.getFloat(5) - last.getFloat(17);
            }
        }
    }

    record Outcome(int code, String out, String err) {}

    private static Outcome cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArrakisCli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }
}
