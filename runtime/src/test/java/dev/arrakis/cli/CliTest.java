package dev.arrakis.cli;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.io.SafetensorsDType;
import dev.arrakis.io.SafetensorsFile;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The command line as a user runs it: exit codes, output files checked against HF, one-line errors. */
class CliTest {
    @TempDir
    Path temp;

    record Outcome(int code, String out, String err) {}

    static Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = ArrakisCli.execute(args, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    static final List<String> DUMPED_CASES = ReferenceCase.ALL_CASES;

    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("DUMPED_CASES")
    void dumpMatchesHfOnLogitsResidualsAndPatterns(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        Path out = temp.resolve(caseName + ".safetensors");
        try (SafetensorsFile expected = reference.reference()) {
            List<String> args = new ArrayList<>(List.of("dump", "--model", reference.directory().toString()));
            for (long[] row : ReferenceCase.rows(expected, "input_ids")) {
                args.add("--tokens");
                args.add(Arrays.stream(row).mapToObj(Long::toString).collect(Collectors.joining(" ")));
            }
            List<String> hooks = expected.names().stream()
                    .filter(name -> name.endsWith("hook_resid_post") || name.endsWith("attn.hook_pattern"))
                    .toList();
            args.addAll(List.of("--hooks", String.join(",", hooks), "--out", out.toString()));
            Outcome outcome = run(args.toArray(String[]::new));
            assertEquals(0, outcome.code(), outcome.err());
            try (SafetensorsFile dumped = SafetensorsFile.open(out)) {
                assertEquals(hooks.size() + 1, dumped.names().size());
                for (String name : dumped.names()) {
                    assertEquals(SafetensorsDType.F32, dumped.info(name).dtype(), name);
                    assertArrayEquals(expected.info(name).shape(), dumped.info(name).shape(), name);
                    assertClose(caseName + " dump " + name, expected.readFloats(name), dumped.readFloats(name), 1e-4);
                }
            }
        }
    }

    /**
     * TransformerLens's processing centres the unembedding over the vocabulary, so with {@code --process-weights}
     * every position's logits have vocabulary mean 0 and equal the raw logits minus their mean.
     */
    @Test
    void dumpWithProcessWeightsGivesLogitsCentredOverTheVocabulary() {
        String model = ReferenceCase.of("gpt2-prefixed").directory().toString();
        Path raw = temp.resolve("raw.safetensors");
        Path processed = temp.resolve("processed.safetensors");
        Outcome rawRun = run("dump", "--model", model, "--tokens", "5 17 3 99 42", "--out", raw.toString());
        Outcome processedRun = run("dump", "--model", model, "--tokens", "5 17 3 99 42", "--process-weights",
                "--out", processed.toString());
        assertEquals(0, rawRun.code(), rawRun.err());
        assertEquals(0, processedRun.code(), processedRun.err());
        try (SafetensorsFile rawFile = SafetensorsFile.open(raw);
                SafetensorsFile processedFile = SafetensorsFile.open(processed)) {
            float[] rawLogits = rawFile.readFloats("logits");
            float[] processedLogits = processedFile.readFloats("logits");
            int vocab = (int) rawFile.info("logits").shape()[2];
            float[] rawMinusMean = new float[rawLogits.length];
            double largestRawMean = 0;
            for (int position = 0; position < 5; position++) {
                double rawMean = 0;
                double processedMean = 0;
                for (int v = 0; v < vocab; v++) {
                    rawMean += rawLogits[position * vocab + v];
                    processedMean += processedLogits[position * vocab + v];
                }
                rawMean /= vocab;
                processedMean /= vocab;
                largestRawMean = Math.max(largestRawMean, Math.abs(rawMean));
                assertTrue(Math.abs(processedMean) < 1e-5, "processed logits' vocabulary mean at position "
                        + position + " is " + processedMean + ", expected 0 within 1e-5");
                for (int v = 0; v < vocab; v++) {
                    rawMinusMean[position * vocab + v] = (float) (rawLogits[position * vocab + v] - rawMean);
                }
            }
            assertTrue(largestRawMean > 1e-2, "raw logits' vocabulary mean is at most " + largestRawMean
                    + ", too small to show the centring");
            assertClose("processed logits vs raw logits minus their vocabulary mean", rawMinusMean, processedLogits,
                    1e-4);
        }
    }

    @Test
    void dumpAllWritesEveryHookPointAndTextIsTokenized() {
        Path out = temp.resolve("all.safetensors");
        Outcome outcome = run("dump", "--model", ReferenceCase.of("gpt2-prefixed").directory().toString(),
                "--text", "The cat sat.", "--hooks", "all", "--out", out.toString());
        assertEquals(0, outcome.code(), outcome.err());
        try (SafetensorsFile dumped = SafetensorsFile.open(out)) {
            // 2 embedding points, 18 per block (hook_result included), 2 for ln_final, plus the logits.
            assertEquals(2 + 2 * 18 + 2 + 1, dumped.names().size());
            assertTrue(dumped.contains("blocks.1.attn.hook_result"), "dumped: " + dumped.names());
        }
    }

    @Test
    void hooksListsEveryPointWithItsShape() {
        Outcome outcome = run("hooks", "--model", ReferenceCase.of("gpt2-hub-layout").directory().toString(), "--seq", "5");
        assertEquals(0, outcome.code(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertEquals(1 + 2 + 3 * 18 + 2, lines.size(), outcome.out());
        assertTrue(outcome.out().contains("blocks.2.attn.hook_pattern"), outcome.out());
        String pattern = lines.stream().filter(l -> l.startsWith("blocks.2.attn.hook_pattern ")).findFirst().orElseThrow();
        assertTrue(pattern.contains("[1, 3, 5, 5]") && pattern.contains("[batch, head, query_pos, key_pos]"), pattern);
    }

    /**
     * Each family lists the points its structure has: 1 header, embed, 18 per GPT-2 block; rotary blocks trade
     * hook_pos_embed for rot_q and rot_k, gated MLPs add pre_linear, parallel blocks drop resid_mid, Gemma 2 adds two
     * post-norms of two points each; 2 for ln_final.
     */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({
        "gpt-neo-local, 4, 18, blocks.3.attn.hook_pattern, '[1, 4, 5, 5]'",
        "gpt-neox-parallel, 2, 19, blocks.1.attn.hook_rot_q, '[1, 5, 4, 16]'",
        "mistral-sliding, 2, 21, blocks.1.attn.hook_rot_k, '[1, 5, 1, 16]'",
        "gemma2, 4, 25, blocks.3.ln2_post.hook_normalized, '[1, 5, 48]'",
        "stablelm-parallel, 2, 20, blocks.0.mlp.hook_pre_linear, '[1, 5, 128]'"})
    void hooksListsEachFamilysOwnPoints(String caseName, int layers, int perBlock, String point, String shape) {
        Outcome outcome = run("hooks", "--model", ReferenceCase.of(caseName).directory().toString(), "--seq", "5");
        assertEquals(0, outcome.code(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        boolean learned = caseName.startsWith("gpt-neo-");
        assertEquals(1 + (learned ? 2 : 1) + layers * perBlock + 2, lines.size(), outcome.out());
        String line = lines.stream().filter(l -> l.startsWith(point + " ")).findFirst().orElseThrow();
        assertTrue(line.contains(shape), line);
        if (caseName.equals("mistral-sliding")) {
            assertTrue(lines.get(0).startsWith("mistral: 2 layers, 4 heads (1 key/value), d_model 64"), lines.get(0));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "dump --model MODEL --tokens 1,x,3 --out OUT",
        "dump --model MODEL --tokens 1 --tokens 1 2 --out OUT",
        "dump --model MODEL --tokens 1 2 999 --out OUT",
        "dump --model MODEL --tokens 1 2 --hooks blocks.0.hook_resid_psot --out OUT",
        "dump --model MODEL --out OUT",
        "dump --model MODEL --tokens 1 --text hi --out OUT",
        "dump --model /nonexistent/checkpoint --tokens 1 --out OUT",
        "dump --model MODEL --tokens 1 2 --out /nonexistent/directory/x.safetensors",
        "hooks --model MODEL --seq 0",
        "hooks",
        "frobnicate",
    })
    void badInputExitsNonZeroWithOneLine(String command) {
        String model = ReferenceCase.of("gpt2-hub-layout").directory().toString();
        String[] args = command.replace("MODEL", model).replace("OUT", temp.resolve("x.safetensors").toString())
                .split(" ");
        // "--tokens 1 2" is one row: rejoin the words that follow --tokens up to the next option.
        Outcome outcome = run(rejoinTokenRows(args));
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), outcome.err());
        assertEquals(1, outcome.err().lines().count(), outcome.err());
        assertTrue(outcome.out().isEmpty(), outcome.out());
    }

    @Test
    void unknownHookErrorSuggestsTheRealName() {
        Outcome outcome = run("dump", "--model", ReferenceCase.of("gpt2-hub-layout").directory().toString(),
                "--tokens", "1 2", "--hooks", "blocks.0.hook_resid_psot", "--out", temp.resolve("x").toString());
        assertTrue(outcome.err().contains("did you mean 'blocks.0.hook_resid_post'"), outcome.err());
    }

    static final List<String> COMMANDS =
            List.of("hooks", "dump", "demo", "list", "run", "runs", "show", "diff", "export");

    /** Every command explains itself: usage, every option it parses, examples; `help CMD` prints the same. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.FieldSource("COMMANDS")
    void everyCommandHasHelpListingEachOfItsOptions(String command) {
        Outcome help = run(command, "--help");
        assertEquals(0, help.code(), command + " --help exited " + help.code() + ": " + help.err());
        assertEquals("", help.err(), command + " --help wrote to stderr");
        assertTrue(help.out().startsWith("Usage: arrakis " + command + " "), help.out());
        assertTrue(help.out().contains("-h, --help"), help.out());
        assertTrue(help.out().contains("\nExamples:\n  arrakis " + command), help.out());
        picocli.CommandLine parsed = new picocli.CommandLine(new ArrakisCli()).getSubcommands().get(command);
        for (picocli.CommandLine.Model.OptionSpec option : parsed.getCommandSpec().options()) {
            String shown = option.negatable() ? "--[no-]" + option.longestName().substring(2) : option.longestName();
            assertTrue(help.out().contains(shown), command + " --help does not mention " + shown + ":\n" + help.out());
        }
        Outcome viaHelpCommand = run("help", command);
        assertEquals(0, viaHelpCommand.code(), viaHelpCommand.err());
        assertEquals(help.out(), viaHelpCommand.out(), "arrakis help " + command + " differs from " + command
                + " --help");
        Outcome shortOption = run(command, "-h");
        assertEquals(help.out(), shortOption.out(), command + " -h differs from " + command + " --help");
    }

    @Test
    void topHelpListsTheCommandsAndTheExitCodes() {
        Outcome help = run("--help");
        assertEquals(0, help.code(), help.err());
        for (String command : COMMANDS) {
            assertTrue(help.out().contains("\n  " + command + " "), command + " missing from:\n" + help.out());
        }
        List<String> lines = help.out().lines().toList();
        for (String exitCode : List.of("  0    ", "  1    ", "  2    ", "  130  ")) {
            assertEquals(1, lines.stream().filter(line -> line.startsWith(exitCode)).count(),
                    "exit code line '" + exitCode + "' in:\n" + help.out());
        }
        assertTrue(help.out().contains("Exit codes:"), help.out());
    }

    @Test
    void aMisspeltOptionOrCommandGetsTheNearestNameOnOneLine() {
        Outcome option = run("run", "RegisteredTest.headSweep", "--plot", temp.toString());
        assertEquals(ArrakisCli.BAD_INPUT, option.code(), option.err());
        assertEquals("run: Unknown option: '--plot'; did you mean '--plots'? (see arrakis run --help)"
                + System.lineSeparator(), option.err());
        Outcome command = run("lst");
        assertEquals(ArrakisCli.BAD_INPUT, command.code(), command.err());
        assertEquals("arrakis: Unmatched argument at index 0: 'lst'; did you mean 'list'? (see arrakis --help)"
                + System.lineSeparator(), command.err());
    }

    /** gpt2-prefixed has n_positions 32: hooks refuses a longer sequence with dump's words, and takes 32. */
    @Test
    void hooksRefusesASequenceLongerThanTheContextAsDumpDoes() {
        String model = ReferenceCase.of("gpt2-prefixed").directory().toString();
        String tooLong = "sequence of 33 tokens is longer than the model's context of 32";
        Outcome hooks = run("hooks", "--model", model, "--seq", "33");
        assertEquals(ArrakisCli.BAD_INPUT, hooks.code(), hooks.err());
        assertEquals("", hooks.out(), "hooks printed shapes for a sequence the model cannot run");
        assertEquals("hooks: " + tooLong + System.lineSeparator(), hooks.err());
        String tokens = java.util.stream.IntStream.range(0, 33).mapToObj(Integer::toString)
                .collect(Collectors.joining(" "));
        Outcome dump = run("dump", "--model", model, "--tokens", tokens, "--out", temp.resolve("x").toString());
        assertEquals("dump: " + tooLong + System.lineSeparator(), dump.err());
        Outcome fits = run("hooks", "--model", model, "--seq", "32");
        assertEquals(0, fits.code(), fits.err());
        String pattern = fits.out().lines().filter(l -> l.startsWith("blocks.1.attn.hook_pattern ")).findFirst()
                .orElseThrow();
        assertTrue(pattern.contains("[1, 4, 32, 32]"), pattern);
    }

    /** An explanation written over several lines (here: how to convert pickle weights) is printed as those lines. */
    @Test
    void aMultiLineExplanationKeepsItsLines() throws java.io.IOException {
        Path checkpoint = temp.resolve("pickled");
        java.nio.file.Files.createDirectories(checkpoint);
        java.nio.file.Files.copy(ReferenceCase.of("gpt2-prefixed").directory().resolve("config.json"),
                checkpoint.resolve("config.json"));
        java.nio.file.Files.writeString(checkpoint.resolve("pytorch_model.bin"), "never opened");
        Outcome outcome = run("hooks", "--model", checkpoint.toString());
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), outcome.err());
        List<String> lines = outcome.err().lines().toList();
        assertEquals(3, lines.size(), outcome.err());
        assertTrue(lines.get(0).startsWith("hooks: " + checkpoint.toAbsolutePath()
                + " holds only PyTorch pickle weights [pytorch_model.bin]."), lines.get(0));
        assertTrue(lines.get(0).endsWith("so only for a checkpoint you trust:"), lines.get(0));
        assertTrue(lines.get(1).startsWith("  python -c \"from transformers import"), lines.get(1));
        assertTrue(lines.get(2).startsWith("For a plain torch.save state dict,"), lines.get(2));
    }

    private static String[] rejoinTokenRows(String[] words) {
        List<String> args = new ArrayList<>();
        for (int i = 0; i < words.length; i++) {
            args.add(words[i]);
            if (words[i].equals("--tokens")) {
                StringBuilder row = new StringBuilder();
                while (i + 1 < words.length && !words[i + 1].startsWith("--")) {
                    row.append(row.length() == 0 ? "" : " ").append(words[++i]);
                }
                args.add(row.toString());
            }
        }
        return args.toArray(String[]::new);
    }
}
