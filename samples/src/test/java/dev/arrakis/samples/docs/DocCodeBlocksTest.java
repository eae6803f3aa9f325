package dev.arrakis.samples.docs;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.arrakis.cli.ArrakisCli;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Every code block of README.md and docs/**&#47;*.md is checked, so the docs cannot drift from the code.
 *
 * <p>Convention. A ```java block is compiled with the annotation processor on its processor path (so an
 * {@code @Experiment} block is checked against its model and gets its runner) and the samples module on its class
 * path (so a block may use sample classes such as {@code PromptPairs}). A block holds its own imports at the top.
 * If after the imports it declares a type (class, record, interface, enum) it is compiled as a compilation unit;
 * otherwise its statements are compiled as the body of a method {@code void snippet() throws Exception} in a
 * generated class. Errors and warnings are reported as the Markdown file and line they point at, with the
 * compiler's message. A java block whose fence follows the line {@code <!-- runnable -->} also runs: all of them in
 * one child JVM started in the project directory (paths such as
 * {@code runtime/src/test/resources/reference/gpt2-prefixed} resolve as they do for a reader at the root), offline,
 * with the run store in a temporary directory; statements run {@code snippet()}, an {@code @Experiment} class runs
 * every run its generated runner declares, another class its {@code main}. Blocks that need a hub model (such as
 * {@code "gpt2"}) or write files outside the run store are compile-only. In ```bash blocks every command that starts
 * with {@code ./arrakis}, also after {@code &&}, {@code ;} or {@code |}, is parsed against the CLI's picocli model,
 * so every subcommand and option it names exists; docs write real values (committed checkpoints), not placeholders.
 * Other commands (mvn, pip, python3) are not run. A block whose fence follows {@code <!-- tested-by: PATH -->}
 * is left to that test, which must exist and read this doc file: docs/cli.md's user project, for instance, is
 * compiled and run outside the repository by the processor module's {@code UserProjectCliTest}. ```text blocks, bare fences and other languages are output or
 * foreign and are not checked.
 */
class DocCodeBlocksTest {

    private static final Set<String> SHELL_LANGUAGES = Set.of("bash", "sh", "shell");
    private static final String CLI = "./arrakis";

    @TempDir
    static Path work;

    private final Map<CodeBlock, BlockCompiler.Compiled> compiled = new LinkedHashMap<>();
    private Map<CodeBlock, String> runFailures;

    @TestFactory
    List<DynamicTest> everyCodeBlockOfTheDocs() {
        Path projectDir = projectDir();
        BlockCompiler compiler = BlockCompiler.forTestClassPath(projectDir);
        List<CodeBlock> blocks = CodeBlock.inProjectDocs(projectDir);
        List<DynamicTest> tests = new ArrayList<>();
        List<CodeBlock> runnable = new ArrayList<>();
        for (CodeBlock block : blocks) {
            if (!block.testedBy().isEmpty()) {
                tests.add(dynamicTest(block.label() + " is tested by " + block.testedBy(),
                        () -> isReadByItsTest(projectDir, block)));
            } else if (block.language().equals("java")) {
                tests.add(dynamicTest(block.label() + " compiles", () -> compiles(compiler, block)));
                if (block.runnable()) {
                    runnable.add(block);
                }
            } else if (block.runnable()) {
                tests.add(dynamicTest(block.label() + " is runnable", () -> fail(block.label() + ": "
                        + CodeBlock.RUNNABLE_MARKER + " marks a '" + block.language() + "' block; only java blocks run")));
            }
            if (SHELL_LANGUAGES.contains(block.language())) {
                tests.add(dynamicTest(block.label() + " is valid bash", () -> isValidBash(block)));
                for (ShellCommands.Command command : ShellCommands.of(block)) {
                    if (command.words().get(0).equals(CLI)) {
                        String where = block.file() + ":" + command.docLine();
                        tests.add(dynamicTest(where + " " + command.text(), () -> parsesAgainstTheCli(where, command)));
                    }
                }
            }
        }
        for (CodeBlock block : runnable) {
            tests.add(dynamicTest(block.label() + " runs", () -> runs(projectDir, runnable, block)));
        }
        return tests;
    }

    /** A block left to another test: that test exists and reads this doc file. */
    private static void isReadByItsTest(Path projectDir, CodeBlock block) throws java.io.IOException {
        Path test = projectDir.resolve(block.testedBy());
        assertTrue(java.nio.file.Files.isRegularFile(test),
                () -> block.label() + ": tested-by names " + test + ", which does not exist");
        String source = java.nio.file.Files.readString(test);
        assertTrue(source.contains('"' + block.file() + '"'), () -> block.label() + ": " + block.testedBy()
                + " does not read \"" + block.file() + "\", so it cannot be testing this block");
    }

    private void compiles(BlockCompiler compiler, CodeBlock block) {
        BlockCompiler.Compiled result = compiler.compile(JavaBlock.of(block), work.resolve("block-" + compiled.size()));
        compiled.put(block, result);
        assertTrue(result.clean(), () -> block.label() + ": the block does not compile cleanly:\n"
                + String.join("\n", result.problems()));
    }

    private static void parsesAgainstTheCli(String where, ShellCommands.Command command) {
        Optional<String> problem = cliProblem(command.words().subList(1, command.words().size()));
        assertTrue(problem.isEmpty(), () -> where + ": " + command.text() + ": " + problem.orElseThrow());
    }

    /**
     * bash reads the block without a syntax error ({@code bash -n}: parsed, nothing run); an unquoted
     * {@code head=range(0,12)}, for one, is a syntax error a reader would only meet when pasting it.
     */
    private static void isValidBash(CodeBlock block) throws java.io.IOException, InterruptedException {
        Process bash = new ProcessBuilder("bash", "-n").redirectErrorStream(true).start();
        try (var in = bash.getOutputStream()) {
            in.write((String.join("\n", block.lines()) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        String output = new String(bash.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        int code = bash.waitFor();
        assertTrue(code == 0, () -> block.label() + ": bash -n exited " + code + ": "
                + output.replaceAll("bash: line (\\d+)", "block line $1").strip());
    }

    /** Why picocli rejects these arguments of {@code ./arrakis}, or empty when it accepts them. */
    static Optional<String> cliProblem(List<String> arguments) {
        try {
            ArrakisCli.commandLine().parseArgs(arguments.toArray(String[]::new));
            return Optional.empty();
        } catch (CommandLine.ParameterException e) {
            return Optional.of(e.getMessage());
        }
    }

    private void runs(Path projectDir, List<CodeBlock> runnable, CodeBlock block) {
        BlockCompiler.Compiled result = compiled.get(block);
        assertTrue(result != null && result.clean(), () -> block.label() + " did not compile; see its compile test");
        if (runFailures == null) {
            List<BlockCompiler.Compiled> toRun = runnable.stream()
                    .map(compiled::get).filter(c -> c != null && c.clean()).toList();
            runFailures = BlockRunner.run(toRun, projectDir, work.resolve("runs"));
        }
        String failure = runFailures.get(block);
        if (failure != null) {
            fail(block.label() + ": the block compiles but fails when run:\n" + failure);
        }
    }

    /** The project's root, which samples/pom.xml passes to the tests. */
    static Path projectDir() {
        String property = System.getProperty("arrakis.test.projectDir");
        assertTrue(property != null && !property.contains("${"),
                () -> "system property arrakis.test.projectDir is '" + property + "'; run this test through Maven");
        return Path.of(property).toAbsolutePath().normalize();
    }
}
