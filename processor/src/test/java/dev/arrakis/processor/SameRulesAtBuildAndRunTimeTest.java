package dev.arrakis.processor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.testing.compile.Compilation;
import dev.arrakis.cli.ArrakisCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One mistake, two ways in: written into the annotations, the build rejects it; made by a command-line override of
 * a valid run, {@code arrakis run} rejects it. Both say it with the same tag and the same words, because both apply
 * the one set of intervention rules.
 */
class SameRulesAtBuildAndRunTimeTest {
    /** The run method under its interventions: it reads the logits, so the interventions are observed. */
    private static final String RUN_METHOD = """
                double r(Logits logits) {
                    return 0;
                }
            """;

    /** The valid run that the overrides change: two head ablations that do not touch each other. */
    private static final String VALID_RUN = "@Ablate(layer = 0, head = 0)\n@Ablate(layer = 1, head = 1)\n" + RUN_METHOD;

    /**
     * One mistake: the interventions written with it, and the overrides that make it in the valid run.
     *
     * @param name what the mistake is
     */
    record Mistake(String name, String interventions, List<String> overrides) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Mistake> mistakes() {
        return List.of(
                new Mistake("two interventions sweeping one axis",
                        "@Ablate(layer = Sweep.ALL, head = 0)\n@Ablate(layer = {0, 1}, head = 1, sweep = Axis.LAYER)",
                        List.of("ablate1.layer=all", "ablate2.layer=0,1")),
                new Mistake("two interventions replacing the same heads",
                        "@Ablate(layer = 0, head = 0)\n@Ablate(layer = 0, head = 0)",
                        List.of("ablate2.layer=0", "ablate2.head=0")),
                new Mistake("heads selected at a hook without heads",
                        "@Ablate(layer = 0, head = 0, hook = \"hook_resid_pre\")\n@Ablate(layer = 1, head = 1)",
                        List.of("ablate1.hook=hook_resid_pre")),
                new Mistake("a layer given to a hook that names its own",
                        "@Ablate(layer = 0, head = 0, hook = \"blocks.0.attn.hook_z\")\n@Ablate(layer = 1, head = 1)",
                        List.of("ablate1.hook=blocks.0.attn.hook_z")));
    }

    @TempDir
    static Path project;

    private static Path classes;

    @BeforeAll
    static void compileTheValidProject() throws IOException {
        Path source = project.resolve("src/main/java/test/Probe.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, "package test;\n\n" + Compilations.IMPORTS + "\n"
                + "@Experiment(config = \"model/config.json\")\nclass Probe {\n"
                + "    @Input\n    static TokenBatch prompts() {\n        return TokenBatch.of(new long[] {5, 17});\n"
                + "    }\n\n" + VALID_RUN + "}\n", StandardCharsets.UTF_8);
        classes = Compilations.compileUserProject(project, source);
    }

    /**
     * The build's one error for the mistake written into the experiment, and the run-time problem of the valid run
     * with the mistake's overrides: the same text, tag included.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("mistakes")
    void theBuildAndAnOverrideSayTheSame(Mistake mistake) {
        String run = mistake.interventions() + "\n" + RUN_METHOD;
        List<String> overrides = mistake.overrides();
        Compilation build = Compilations.compile(Compilations.gpt2Experiment("Probe", run));
        List<String> buildErrors = build.errors().stream()
                .map(diagnostic -> diagnostic.getMessage(Locale.ROOT))
                .toList();
        assertEquals(1, buildErrors.size(), "build errors of\n" + run + ":\n" + buildErrors);

        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> command = new ArrayList<>(List.of("run", "--class-path", classes.toString(),
                "--project-dir", project.toString(), "--no-record", "Probe.r"));
        command.addAll(overrides);
        String[] arguments = command.toArray(String[]::new);
        int code = ArrakisCli.execute(arguments, new PrintWriter(out), new PrintWriter(err));
        assertEquals(ArrakisCli.BAD_INPUT, code, "exit code of run with " + overrides + "; stderr: "
                + err + "; stdout: " + out);
        assertEquals("run: " + buildErrors.get(0) + System.lineSeparator(), err.toString(),
                "run time (overrides " + overrides + ") against build time");
    }
}
