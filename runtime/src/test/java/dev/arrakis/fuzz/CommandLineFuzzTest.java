package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.cli.ArrakisCli;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoreFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any arguments (one per line of the input) to the commands that read the run store, whose run references
 * ({@code latest~2}, {@code Heads@v3}, id prefixes) and times ({@code --since 3d}, ISO instants) Arrakis parses
 * itself. Bad input must end in exit code 2 with the reason on stderr; exit code 1 means an exception escaped.
 */
class CommandLineFuzzTest {
    /** Commands that only read the store; those that load models, open a browser or write files are left out. */
    private static final Set<String> READING_COMMANDS = Set.of("runs", "show", "diff", "export");
    private static final Set<String> SIDE_EFFECTS = Set.of("--open", "-o", "--output", "--class-path", "--store");

    @TempDir
    Path store;

    @BeforeEach
    void recordRuns() {
        RunStore runs = RunStore.open(store);
        runs.save(StoreFixtures.headSweep("Heads", "1.0", 0, 0.5, 0.25));
        runs.save(StoreFixtures.headSweep("Heads", "2.0", 1, 0.75, 0.125, 0.0625));
    }

    @FuzzTest(maxDuration = "30s")
    void anyArgumentsEndInDoneOrBadInput(byte[] input) {
        List<String> arguments = new ArrayList<>(UntrustedInput.lines(input));
        if (arguments.isEmpty() || !READING_COMMANDS.contains(arguments.get(0))
                || arguments.stream().anyMatch(argument -> SIDE_EFFECTS.stream().anyMatch(argument::startsWith))) {
            return;
        }
        arguments.add("--store=" + store);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArrakisCli.execute(arguments.toArray(String[]::new), new PrintWriter(out), new PrintWriter(err));
        assertTrue(code == 0 || code == ArrakisCli.BAD_INPUT,
                "arguments " + arguments + " ended with exit code " + code + ": " + err);
    }
}
