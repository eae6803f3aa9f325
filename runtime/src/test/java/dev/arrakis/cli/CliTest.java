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
