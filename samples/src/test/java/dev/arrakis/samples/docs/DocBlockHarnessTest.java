package dev.arrakis.samples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces DocCodeBlocksTest relies on, on Markdown written here, with lines counted by hand. */
class DocBlockHarnessTest {

    private static final List<String> MARKDOWN = List.of(
            "# Title",                                      // 1
            "<!-- runnable -->",                            // 2
            "```java",                                      // 3
            "import java.util.List;",                       // 4
            "",                                             // 5
            "List<String> words = List.of(\"a\");",         // 6
            "int count = words.size() + missing;",          // 7
            "```",                                          // 8
            "text",                                         // 9
            "```bash",                                      // 10
            "mvn -q install && ./arrakis run X.y layer=1 \\", // 11
            "    --record \"a b.json\"   # a comment",      // 12
            "```",                                          // 13
            "```",                                          // 14
            "$ ./arrakis not-a-command",                    // 15
            "```");                                         // 16

    @TempDir
    Path work;

    @Test
    void blocksCarryTheirFenceLineLanguageAndMarker() {
        List<CodeBlock> blocks = CodeBlock.parse("t.md", MARKDOWN);
        assertEquals(3, blocks.size(), "blocks: " + blocks);
        assertEquals(List.of(3, 10, 14), blocks.stream().map(CodeBlock::fenceLine).toList(), "fence lines");
        assertEquals(List.of("java", "bash", ""), blocks.stream().map(CodeBlock::language).toList(), "languages");
        assertEquals(List.of(true, false, false), blocks.stream().map(CodeBlock::runnable).toList(), "runnable");
        assertEquals(MARKDOWN.subList(3, 7), blocks.get(0).lines(), "the java block's lines");
    }

    @Test
    void aCompileErrorNamesTheMarkdownLineItIsOn() {
        JavaBlock java = JavaBlock.of(CodeBlock.parse("t.md", MARKDOWN).get(0));
        assertEquals(JavaBlock.Kind.STATEMENTS, java.kind(), "statements after the imports: " + java.source());
        BlockCompiler.Compiled result = BlockCompiler.forTestClassPath(DocCodeBlocksTest.projectDir())
                .compile(java, work);
        assertEquals(1, result.problems().size(), "problems: " + result.problems());
        String problem = result.problems().get(0);
        assertTrue(problem.startsWith("t.md:7: error: cannot find symbol")
                        && problem.contains("int count = words.size() + missing;"),
                "the undefined 'missing' is on line 7 of t.md: " + problem);
    }

    @Test
    void aBlockThatDeclaresATypeIsACompilationUnit() {
        assertEquals(Optional.of("Probe"), JavaBlock.declaredType(
                "// comment\n@Experiment(config = \"a (b).json\")\n@LogExperiment\npublic final class Probe {}"),
                "annotations with a parenthesis in a string, then modifiers");
        assertEquals(Optional.of("Pair"), JavaBlock.declaredType("record Pair(int a, int b) {}"), "a record");
        assertEquals(Optional.empty(), JavaBlock.declaredType("List<String> classes = List.of();"), "a statement");
        assertEquals(Optional.empty(), JavaBlock.declaredType("record.toString();"), "a variable named record");
    }

    @Test
    void shellLinesSplitIntoTheWordsBashWouldPass() {
        CodeBlock bash = CodeBlock.parse("t.md", MARKDOWN).get(1);
        List<ShellCommands.Command> commands = ShellCommands.of(bash);
        assertEquals(2, commands.size(), "commands: " + commands);
        assertEquals(List.of("mvn", "-q", "install"), commands.get(0).words(), "before &&");
        assertEquals(List.of("./arrakis", "run", "X.y", "layer=1", "--record", "a b.json"), commands.get(1).words(),
                "after &&, joined over the backslash, quotes removed, comment dropped");
        assertEquals(11, commands.get(1).docLine(), "the line the command starts on");
        assertEquals(List.of(List.of("./arrakis", "hooks", "--model", "DIR"), List.of("NAME")),
                ShellCommands.split("./arrakis hooks --model DIR|NAME > out.txt 2> err.txt"),
                "an unquoted | is a pipe, and redirections are not arguments");
    }

    @Test
    void theCliRejectsAnUnknownOptionByName() {
        assertEquals(Optional.empty(), DocCodeBlocksTest.cliProblem(List.of("run", "X.y", "layer=1")), "a valid run");
        Optional<String> problem = DocCodeBlocksTest.cliProblem(List.of("hooks", "--model", "m", "--modle", "x"));
        assertTrue(problem.isPresent() && problem.get().contains("--modle"), "unknown option: " + problem);
    }
}
