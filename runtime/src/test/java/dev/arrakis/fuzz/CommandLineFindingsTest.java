package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.cli.ArrakisCli;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoreFixtures;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Arguments the store's commands parse themselves that ended in exit code 1 (an internal error) rather than 2 (bad
 * input, one line on stderr): ages and version numbers too large for Java's numbers.
 */
class CommandLineFindingsTest {
    @TempDir
    Path store;

    @BeforeEach
    void recordRun() {
        RunStore.open(store).save(StoreFixtures.headSweep("Heads", "1.0", 0, 0.5, 0.25));
    }

    @Test
    void anAgeBeyondALongIsBadInput() {
        assertBadInput(List.of("runs", "--since", "99999999999999999999d"),
                "runs: --since age '99999999999999999999d' reaches back further than time can be counted"
                        + " (see arrakis runs --help)");
    }

    @Test
    void anAgeBeyondTheEarliestInstantIsBadInput() {
        assertBadInput(List.of("runs", "--until", "9999999999999d"),
                "runs: --until age '9999999999999d' reaches back further than time can be counted"
                        + " (see arrakis runs --help)");
    }

    /** Fuzzer input crash-0caf41ec...: RunQuery's IllegalArgumentException escaped as an internal error. */
    @Test
    void exportOfVersionZeroIsBadInput() {
        assertBadInput(List.of("export", "--format", "records", "--experiment", "Heads", "--version", "0"),
                "export: --version counts from 1, got 0 (see arrakis export --help)");
    }

    @Test
    void aVersionBeyondAnIntIsBadInput() {
        assertBadInput(List.of("show", "Heads@v99999999999"),
                "show: 'Heads@v99999999999': 99999999999 is too large a number of runs or versions");
    }

    @Test
    void stepsBackBeyondAnIntAreBadInput() {
        assertBadInput(List.of("show", "latest~99999999999"),
                "show: 'latest~99999999999': 99999999999 is too large a number of runs or versions");
    }

    private void assertBadInput(List<String> arguments, String expectedError) {
        StringWriter err = new StringWriter();
        String[] withStore = java.util.stream.Stream.concat(arguments.stream(), java.util.stream.Stream.of(
                "--store=" + store)).toArray(String[]::new);
        int code = ArrakisCli.execute(withStore, new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(List.of(ArrakisCli.BAD_INPUT, expectedError), List.of(code, err.toString().strip()),
                "exit code and stderr of " + arguments);
    }
}
