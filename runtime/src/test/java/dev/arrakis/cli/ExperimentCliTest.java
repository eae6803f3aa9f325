package dev.arrakis.cli;

import static dev.arrakis.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.cli.CliTest.Outcome;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.Json;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.RunQuery;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoredRun;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code list} and {@code run} against the experiment the test class path registers (RegisteredTest: a logit
 * difference, and a sweep over layer 0's heads, on the tiny reference checkpoint).
 */
class ExperimentCliTest {
    private static final Path CHECKPOINT = Path.of("src/test/resources/reference/gpt2-prefixed");
    private static final long[] PROMPT = {5, 17, 3, 99};

    @TempDir
    Path temp;

    @Test
    void listShowsExperimentsAndRuns() {
        Outcome outcome = run("list");
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("RegisteredTest  model src/test/resources/reference/gpt2-prefixed/config.json"),
                outcome.out());
        assertTrue(outcome.out().contains("  RegisteredTest.headSweep  ablate zero layer=[0] head=all"), outcome.out());
    }

    @Test
    void runPrintsEachSweepPointAsTheHandWrittenAblationComputesIt() {
        Outcome outcome = run("run", "RegisteredTest.headSweep", "head=1,3", "--plots", temp.toString());
        assertEquals(0, outcome.code(), outcome.err());
        List<String> lines = outcome.out().lines().toList();
        assertTrue(lines.get(0).startsWith("RegisteredTest.headSweep  fingerprint "), lines.get(0));
        assertTrue(lines.get(0).endsWith("2 points"), lines.get(0));
        assertPrinted("head=1", handAblated(1), lines.get(1));
        assertPrinted("head=3", handAblated(3), lines.get(2));
    }

    /**
     * The line is the point and its value to 6 decimals; the value equals the hand-written pass's within float
     * rounding (the engine's pass starts from the base run and unembeds one row, so the last bit may differ).
     */
    private static void assertPrinted(String point, double expected, String line) {
        assertTrue(line.startsWith(point + "  "), "expected a line for " + point + ", got '" + line + "'");
        double printed = Double.parseDouble(line.substring(point.length()).trim());
        assertEquals(expected, printed, 2e-6, "printed " + line + ", hand-written pass gives "
                + String.format(Locale.ROOT, "%.7f", expected));
    }

    @Test
    void plottedRunWritesItsPictures() throws IOException {
        Outcome outcome = run("run", "RegisteredTest.headSweep", "--plots", temp.resolve("plots").toString());
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("plot: bar"), outcome.out());
        Path png = temp.resolve("plots/RegisteredTest.headSweep.png");
        assertTrue(outcome.out().contains("wrote " + png), outcome.out());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(png.toFile());
        assertEquals(800, image.getWidth());
        assertEquals(600, image.getHeight());
        long svgBytes = java.nio.file.Files.size(temp.resolve("plots/RegisteredTest.headSweep.svg"));
        assertTrue(svgBytes > 1000, "an SVG of " + svgBytes + " bytes holds no plot");
    }

    @Test
    void badOverrideIsOneTaggedLineAndNothingRuns() {
        Outcome outcome = run("run", "RegisteredTest.headSweep", "layer=2", "head=7");
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code());
        assertEquals("", outcome.out());
        assertEquals(1, outcome.err().lines().count(), outcome.err());
        assertTrue(outcome.err().contains("[Experiment/LayerRange] layer 2 does not exist"), outcome.err());
        assertTrue(outcome.err().contains("[Experiment/HeadRange] head 7 does not exist"), outcome.err());
    }

    /** The tiny model has heads 0..3: range(0,12) is one mistake, named once with all eight offending heads. */
    @Test
    void aRangeBeyondTheHeadsIsOneMessageNamingTheOffendingHeads() {
        Outcome outcome = run("run", "RegisteredTest.headSweep", "head=range(0,12)", "--no-record");
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), outcome.err());
        assertEquals("", outcome.out());
        assertEquals("run: [Experiment/HeadRange] heads 4..11 do not exist in"
                + " src/test/resources/reference/gpt2-prefixed/config.json (heads 0..3)" + System.lineSeparator(),
                outcome.err());
    }

    @Test
    void unknownRunSuggestsTheNearest() {
        Outcome outcome = run("run", "RegisteredTest.headswep");
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code());
        assertTrue(outcome.err().contains("did you mean 'headSweep'?"), outcome.err());
        Outcome malformed = run("run", "RegisteredTest.headSweep", "head");
        assertEquals(ArrakisCli.BAD_INPUT, malformed.code());
    }

    /** An experiment without a run runs all of its runs in declaration order, each recorded. */
    @Test
    void anExperimentAloneRunsEveryRunInOrder() {
        Path store = temp.resolve("all-runs");
        Outcome outcome = run("run", "RegisteredTest", "--store", store.toString());
        assertEquals(0, outcome.code(), outcome.err());
        int first = outcome.out().indexOf("RegisteredTest.logitDiff  fingerprint");
        int second = outcome.out().indexOf("RegisteredTest.headSweep  fingerprint");
        assertTrue(first >= 0 && second > first, "both runs, in declaration order:\n" + outcome.out());
        List<String> recorded = RunStore.open(store).list(RunQuery.all()).runs().stream()
                .map(StoredRun::qualifiedName).sorted().toList();
        assertEquals(List.of("RegisteredTest.headSweep", "RegisteredTest.logitDiff"), recorded, "recorded runs");

        Outcome overridden = run("run", "RegisteredTest", "head=0", "--no-record");
        assertEquals(ArrakisCli.BAD_INPUT, overridden.code(), overridden.out());
        assertTrue(overridden.err().contains("overrides apply to one run; name it, e.g. RegisteredTest.logitDiff"),
                overridden.err());
    }

    @Test
    void recordFileHoldsTheResultAndTheDefinition() throws IOException {
        Path record = temp.resolve("runs/record.json");
        Outcome outcome = run("run", "RegisteredTest.logitDiff", "--record", record.toString());
        assertEquals(0, outcome.code(), outcome.err());
        JsonNode json = Json.MAPPER.readTree(record.toFile());
        assertEquals("RegisteredTest", json.get("experiment").asText());
        assertEquals(handAblated(-1), json.get("results").get(0).asDouble(), 1e-6);
        assertTrue(json.get("fingerprint").asText().length() > 12, "fingerprint " + json.get("fingerprint"));
        assertEquals(List.of(5L, 17L, 3L, 99L), longs(json.get("arguments").get("inputs").get("prompts")));
    }

    /**
     * A run with {@code --process-weights} records the steps applied (gpt2 admits all four) and one without records
     * none; a logit difference is the same either way, since processing only shifts each position's logits.
     */
    @Test
    void recordSaysWhetherTheWeightsWereProcessed() throws IOException {
        List<String> steps = List.of("foldLayerNorm", "centerWritingWeights", "centerUnembed", "foldValueBiases");
        for (boolean processed : new boolean[] {true, false}) {
            Path record = temp.resolve("record-" + processed + ".json");
            List<String> args = new java.util.ArrayList<>(List.of("run", "RegisteredTest.logitDiff", "--no-record",
                    "--record", record.toString()));
            if (processed) {
                args.add("--process-weights");
            }
            Outcome outcome = run(args.toArray(String[]::new));
            assertEquals(0, outcome.code(), outcome.err());
            JsonNode json = Json.MAPPER.readTree(record.toFile());
            JsonNode recorded = json.get("model").get("weightProcessing");
            for (String step : steps) {
                assertEquals(processed, recorded.path(step).asBoolean(!processed),
                        "processed=" + processed + ": " + step + " in " + recorded);
            }
            assertEquals(handAblated(-1), json.get("results").get(0).asDouble(), 1e-4,
                    "processed=" + processed + ": logit difference " + json.get("results"));

            Path store = temp.resolve("store-" + processed);
            args.set(args.indexOf("--no-record"), "--store");
            args.add(args.indexOf("--store") + 1, store.toString());
            assertEquals(0, run(args.toArray(String[]::new)).code(), "recorded run, processed=" + processed);
            Outcome shown = run("show", "latest", "--store", store.toString());
            String expected = processed ? "weights   processed: " + String.join(", ", steps)
                    : "weights   as in the checkpoint";
            assertTrue(shown.out().contains(expected + "\n"), "show says " + expected + ":\n" + shown.out());
        }
    }

    /** The first token row of a snapshotted {@code TokenBatch}. */
    private static List<Long> longs(JsonNode batch) {
        java.util.ArrayList<Long> values = new java.util.ArrayList<>();
        batch.get("tokens").get(0).forEach(value -> values.add(value.asLong()));
        return values;
    }

    /** logit(5) - logit(17) at the last position with layer 0's head zero-ablated (-1: no ablation). */
    private static double handAblated(int head) {
        try (HookedTransformer model = HookedTransformer.load(CHECKPOINT)) {
            RunOptions options = head < 0 ? RunOptions.none()
                    : RunOptions.none().withHook("blocks.0.attn.hook_z", Interventions.zeroHeads(head));
            try (ForwardResult result = model.run(TokenBatch.of(PROMPT), options)) {
                NDArray last = result.logits().get(0, PROMPT.length - 1);
                return last.getFloat(5) - last.getFloat(17);
            }
        }
    }
}
