package dev.arrakis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.cli.CliTest.Outcome;
import org.junit.jupiter.api.Test;

/**
 * {@code arrakis generate} as a user runs it, on {@code gpt2-prefixed} whose greedy continuations HF computed
 * ({@code tools/reference/hf_generate.py}): prompt 370 202 241 41 375 continues 128 97 126 225 225 225; the batch of
 * 375 180 1 326 78 and 186 328 10 continues 117 345 72 72 72 72 and 286 286 286 53 12 12.
 */
class GenerateCommandTest {
    private static final String MODEL = ReferenceCase.of("gpt2-prefixed").directory().toString();

    @Test
    void greedyTokensAreHfs() {
        Outcome outcome = CliTest.run("generate", "--model", MODEL, "--tokens", "370,202,241,41,375",
                "--max-new-tokens", "6");
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("tokens:    370 202 241 41 375 | 128 97 126 225 225 225  (max new tokens)"),
                outcome.out());
        assertTrue(outcome.out().startsWith("gpt2, greedy, at most 6 new tokens, key/value cache"), outcome.out());
    }

    @Test
    void severalPromptsRunAsALeftPaddedBatchAndStopTokensEndTheirRow() {
        Outcome outcome = CliTest.run("generate", "--model", MODEL, "--tokens", "375 180 1 326 78", "--tokens",
                "186 328 10", "--max-new-tokens", "6", "--stop", "53", "--no-cache");
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("[0] tokens:    375 180 1 326 78 | 117 345 72 72 72 72  (max new tokens)"),
                outcome.out());
        assertTrue(outcome.out().contains("[1] tokens:    186 328 10 | 286 286 286 53  (stop token)"), outcome.out());
    }

    @Test
    void badInputIsOneLineAndExitCodeTwo() {
        String[][] cases = {
            {"--tokens", "1,2", "--top-p", "1.5"},
            {"--tokens", "1,2", "--temperature", "-0.5"},
            {"--tokens", "1,x"},
            {},
            {"--tokens", "1,2", "--max-new-tokens", "40"},
        };
        String[] expected = {
            "generate: [Experiment/Generate] topP = 1.5 is outside (0, 1] (1 keeps every token)",
            "generate: [Experiment/Generate] temperature = -0.5 is not a number >= 0 (0 decodes greedily)",
            "generate: --tokens takes token ids separated by commas or spaces, e.g. 7,3,9; got '1,x'",
            "generate: give the prompts either as --prompt TEXT or as --tokens IDS, not neither",
            "generate: a prompt of 2 tokens plus maxNewTokens = 40 needs 41 positions but the model's context is 32;"
                    + " give maxNewTokens <= 31",
        };
        for (int i = 0; i < cases.length; i++) {
            String[] args = new String[cases[i].length + 3];
            args[0] = "generate";
            args[1] = "--model";
            args[2] = MODEL;
            System.arraycopy(cases[i], 0, args, 3, cases[i].length);
            Outcome outcome = CliTest.run(args);
            assertEquals(2, outcome.code(), String.join(" ", args) + ": " + outcome.err());
            assertEquals(1, outcome.err().strip().lines().count(), "one line: " + outcome.err());
            assertTrue(outcome.err().startsWith(expected[i]), "expected '" + expected[i] + "' got: " + outcome.err());
        }
    }

    @Test
    void helpShowsAnExample() {
        Outcome outcome = CliTest.run("generate", "--help");
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("arrakis generate --model models/gpt2-tiny --prompt \"The model\""),
                outcome.out());
    }
}
