package dev.arrakis.runs;

import static dev.arrakis.runs.StoreFixtures.headSweep;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.io.SafetensorsFile;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunStoreTest {
    @TempDir
    Path root;

    @Test
    void versionStaysForTheSameSourceAndAdvancesWhenTheBodyChanges() {
        RunStore store = RunStore.open(root);
        StoredRun first = store.save(headSweep("Heads", "logits.diff()", 1, 0.5, 0.25));
        StoredRun rerun = store.save(headSweep("Heads", "logits.diff()", 1, 0.5, 0.25));
        StoredRun edited = store.save(headSweep("Heads", "logits.diff() * 2", 1, 1.0, 0.5));
        StoredRun reverted = store.save(headSweep("Heads", "logits.diff()", 1, 0.5, 0.25));
        StoredRun other = store.save(headSweep("Other", "logits.diff() * 2", 1, 1.0, 0.5));

        assertEquals(List.of(1, 1, 2, 1, 1), List.of(first.version(), rerun.version(), edited.version(),
                reverted.version(), other.version()), "versions count per experiment; a source keeps its number");
        assertEquals(5, List.of(first.id(), rerun.id(), edited.id(), reverted.id(), other.id()).stream().distinct()
                .count(), "no run replaces another");
        List<ExperimentVersion> versions = store.versions("Heads");
        assertEquals(List.of(1, 2), versions.stream().map(ExperimentVersion::version).toList());
        assertEquals(StoreFixtures.source("logits.diff() * 2"), versions.get(1).source());
        assertEquals(5, store.list(RunQuery.all()).runs().size());
    }

    @Test
    void aStoredRunReadsBackWhatWasRecorded() throws Exception {
        RunStore store = RunStore.open(root);
        RunRecord record = headSweep("Heads", "logits.diff()", 1, 0.5, -0.125, 3.0);
        StoredRun run = store.save(record);

        assertTrue(StoreNames.isRunId(run.id()), run.id());
        assertEquals("Heads.effect", run.qualifiedName());
        assertEquals(record.fingerprint(), run.fingerprint());
        assertEquals(record.source(), run.source());
        assertEquals(RunStatus.COMPLETE, run.status());
        assertEquals(record.startedAt(), run.startedAt());
        assertEquals(List.of(new SweepAxis("head", List.of(0, 1, 2))), run.axes());
        assertEquals(record.results(), run.document().get("results"));
        assertEquals("1", run.document().path("arguments").path("overrides").path("layer").asText());
        assertTrue(Files.isRegularFile(run.page()), "no page at " + run.page());
        String page = Files.readString(run.page());
        assertTrue(page.contains("Heads.effect") && page.contains("-0.125000"), page);
        try (var entries = Files.list(store.root().resolve("runs"))) {
            assertEquals(List.of(run.id()), entries.map(path -> path.getFileName().toString()).toList(),
                    "nothing but the run is left in runs/");
        }
    }

    @Test
    void largeArraysMoveToSafetensorsAndComeBackExactly() throws Exception {
        double[] values = new double[600];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.sin(i) / 3.0;
        }
        ObjectNode result = JsonNodeFactory.instance.objectNode();
        result.put("type", "AttentionPattern");
        result.putArray("shape").add(2).add(300);
        ArrayNode valueNodes = result.putArray("values");
        for (double value : values) {
            valueNodes.add(value);
        }
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        ArrayNode tokens = arguments.putObject("inputs").putObject("prompts").putArray("tokens");
        for (int row = 0; row < 20; row++) {
            ArrayNode line = tokens.addArray();
            for (int position = 0; position < 30; position++) {
                line.add(row * 1000L + position);
            }
        }
        arguments.putObject("overrides").put("small", "[1, 2, 3]");
        ArrayNode results = JsonNodeFactory.instance.arrayNode().add(result);
        StoredRun run = RunStore.open(root).save(StoreFixtures.record("Arrays", "pattern", arguments, List.of(),
                results, RunStatus.COMPLETE, 1));

        JsonNode stored = run.document();
        JsonNode reference = stored.path("results").get(0).path("values");
        assertEquals("arrays.safetensors", reference.path("$array").asText(), stored.toString());
        assertEquals("F64", reference.path("dtype").asText());
        JsonNode tokenReference = stored.path("arguments").path("inputs").path("prompts").path("tokens");
        assertEquals("I64", tokenReference.path("dtype").asText());
        assertEquals("[20,30]", tokenReference.path("shape").toString());
        try (SafetensorsFile file = SafetensorsFile.open(run.directory().resolve("arrays.safetensors"))) {
            assertArrayEquals(values, file.readDoubles("/results/0/values"));
            assertEquals(1029L, file.readLongs("/arguments/inputs/prompts/tokens")[29 + 30]);
        }
        JsonNode inlined = run.documentWithArrays();
        assertEquals(results, inlined.get("results"), "doubles come back bit for bit");
        assertEquals(arguments, inlined.get("arguments"), "token ids come back as whole numbers");
    }

    @Test
    void anAttentionResultKeepsItsPicturesAndAnInteractivePage() throws Exception {
        double[][] pattern = {{1, 0, 0}, {0.25, 0.75, 0}, {0.5, 0.125, 0.375}};
        dev.arrakis.plot.PlotRequest plot = dev.arrakis.plot.Plots.attention("pattern of L0H1",
                List.of("When", " Mary", " and"), pattern);
        ArrayNode results = JsonNodeFactory.instance.arrayNode().add(0.0);
        StoredRun run = RunStore.open(root).save(StoreFixtures.record("Patterns", "pattern", JsonNodeFactory.instance
                .objectNode(), List.of(), results, RunStatus.COMPLETE, 1, plot));

        assertEquals(List.of("plots/effect.png", "plots/effect.svg", "plots/attention.html"), run.pictures().stream()
                .map(picture -> run.directory().relativize(picture).toString()).toList());
        java.awt.image.BufferedImage image = javax.imageio.ImageIO.read(run.pictures().get(0).toFile());
        assertEquals(dev.arrakis.plot.PlotRenderer.imageWidth(dev.arrakis.annotations.PlotKind.ATTENTION),
                image.getWidth());
        String page = Files.readString(run.pictures().get(2));
        assertTrue(page.contains("\"\u00B7Mary\"") && page.contains("0.75"),
                "tokens and weights are in the page: " + page);
        String runPage = Files.readString(run.page());
        assertTrue(runPage.contains("<a href=\"plots/attention.html\">"), runPage);
    }

    @Test
    void aCorruptEntryIsReportedAndTheRestStillList() throws Exception {
        RunStore store = RunStore.open(root);
        StoredRun good = store.save(headSweep("Heads", "a", 1, 0.5));
        StoredRun damaged = store.save(headSweep("Heads", "a", 1, 0.75));
        StoredRun truncated = store.save(headSweep("Heads", "a", 1, 1.0));
        Files.writeString(damaged.directory().resolve("run.json"), "{\"id\": \"" + damaged.id() + "\", \"vers");
        Path record = truncated.directory().resolve("run.json");
        Files.writeString(record, Files.readString(record).replace("\"fingerprint\"", "\"fingerprimt\""));
        Files.createDirectories(store.root().resolve("runs/notes"));

        RunListing listing = store.list(RunQuery.all());

        assertEquals(List.of(good.id()), listing.runs().stream().map(StoredRun::id).toList());
        assertEquals(3, listing.problems().size(), listing.problems().toString());
        StoreProblem notJson = problemFor(listing, damaged.id());
        assertTrue(notJson.problem().startsWith("run.json is not valid JSON"), notJson.toString());
        assertEquals("field 'fingerprint' is missing or not text", problemFor(listing, truncated.id()).problem());
        StoreProblem notes = problemFor(listing, "runs/notes");
        assertTrue(notes.problem().startsWith("not a run directory"), notes.toString());
        RunStoreException error = assertThrows(RunStoreException.class, () -> store.get(damaged.id()));
        assertTrue(error.getMessage().startsWith("run runs/" + damaged.id() + " cannot be read: run.json is not"
                + " valid JSON"), error.getMessage());
        assertEquals(good.id(), store.get("latest").id(), "the newest readable run");
    }

    @Test
    void anUnfinishedRunOfADeadProcessIsNamedAndALiveWritersIsIgnored() throws Exception {
        RunStore store = RunStore.open(root);
        StoredRun good = store.save(headSweep("Heads", "a", 1, 0.5));
        long deadPid = deadProcessId();
        Path abandoned = store.root().resolve("runs/.incomplete-20261126-100000-abcdef-" + deadPid);
        Files.createDirectories(abandoned);
        Files.writeString(abandoned.resolve("run.json"), "{\"half\": ");
        Files.createDirectories(store.root().resolve("runs/.incomplete-20261126-100000-123456-"
                + ProcessHandle.current().pid()));

        RunListing listing = store.list(RunQuery.all());

        assertEquals(List.of(good.id()), listing.runs().stream().map(StoredRun::id).toList());
        assertEquals(1, listing.problems().size(), listing.problems().toString());
        assertEquals("runs/" + abandoned.getFileName(), listing.problems().get(0).entry());
        assertTrue(listing.problems().get(0).problem().contains("process " + deadPid + ", which is gone"),
                listing.problems().toString());
    }

    @Test
    void referencesResolveByIdShortIdPrefixLatestAndName() {
        RunStore store = RunStore.open(root);
        StoredRun first = store.save(headSweep("Heads", "a", 1, 0.5));
        StoredRun second = store.save(headSweep("Heads", "b", 1, 0.5));
        StoredRun third = store.save(headSweep("Other", "a", 1, 0.5));

        assertEquals(first.id(), store.get(first.id()).id());
        assertEquals(second.id(), store.get(StoreNames.shortId(second.id())).id());
        assertEquals(third.id(), store.get("latest").id());
        assertEquals(second.id(), store.get("latest~1").id());
        assertEquals(second.id(), store.get("Heads@latest").id());
        assertEquals(first.id(), store.get("Heads.effect@latest~1").id());
        assertEquals(first.id(), store.get("Heads@v1").id());
        assertEquals(second.id(), store.get("Heads@v2").id());

        String noVersion = refusal(store, "Heads@v3");
        assertTrue(noVersion.startsWith("no run of Heads v3 in " + store.root() + " (its versions: v1..v2)"),
                noVersion);
        String misspelt = refusal(store, "Hedas@latest");
        assertTrue(misspelt.contains("(it has runs of Heads.effect, Other.effect)"), misspelt);
        String tooFarBack = refusal(store, "latest~3");
        assertTrue(tooFarBack.startsWith("only 3 runs in " + store.root() + "; latest~3 does not exist"), tooFarBack);
        String ambiguous = refusal(store, "2026");
        assertTrue(ambiguous.startsWith("'2026' matches 3 runs: "), ambiguous);
        String unknown = refusal(store, "zzzzzz");
        assertTrue(unknown.startsWith("no run 'zzzzzz' in "), unknown);
    }

    @Test
    void latestOrdersRunsThatShareTheirStartSecondByTheirStartAsTheListingDoes() {
        RunStore store = RunStore.open(root);
        Instant second = Instant.parse("2026-11-26T12:00:00Z");
        List<String> ids = new java.util.ArrayList<>();
        for (int millis : new int[] {900, 100, 500, 300, 700}) {
            ids.add(store.save(startingAt(headSweep("Heads", "a", 1, millis), second.plusMillis(millis))).id());
        }
        store.save(startingAt(headSweep("Heads", "a", 1, 0.0), second.minusSeconds(1)));
        List<String> byStart = List.of(ids.get(0), ids.get(4), ids.get(2), ids.get(3), ids.get(1));

        List<String> listed = new java.util.ArrayList<>(store.list(RunQuery.all()).runs().stream()
                .map(StoredRun::id).toList());
        java.util.Collections.reverse(listed);
        assertEquals(byStart, listed.subList(0, 5), "the listing, newest first");
        for (int back = 0; back < byStart.size(); back++) {
            assertEquals(byStart.get(back), store.get("latest~" + back).id(), "latest~" + back);
            assertEquals(byStart.get(back), store.get("Heads@latest~" + back).id(), "Heads@latest~" + back);
        }
    }

    @Test
    void aHugeStepBackIsRefusedNamingIt() {
        RunStore store = RunStore.open(root);
        store.save(headSweep("Heads", "a", 1, 0.5));

        assertEquals("only 1 run in " + store.root() + "; latest~2147483646 does not exist",
                refusal(store, "latest~2147483646"));
        assertEquals("'latest~2147483647': 2147483647 is too large a number of runs or versions",
                refusal(store, "latest~2147483647"));
        assertEquals("'Heads@v99999999999': 99999999999 is too large a number of runs or versions",
                refusal(store, "Heads@v99999999999"));
    }

    private static RunRecord startingAt(RunRecord record, Instant start) {
        return new RunRecord(record.experiment(), record.run(), record.fingerprint(), record.source(), record.model(),
                record.arguments(), record.axes(), record.results(), record.plot(), record.resultType(),
                record.status(), record.completedPoints(), record.seed(), record.environment(), record.timings(),
                record.memory(), record.profile(), start, start.plusSeconds(1));
    }

    private static String refusal(RunStore store, String reference) {
        return assertThrows(RunStoreException.class, () -> store.get(reference)).getMessage();
    }

    @Test
    void listFiltersByExperimentVersionTimeAndStatus() {
        RunStore store = RunStore.open(root);
        store.save(headSweep("Heads", "a", 1, 0.5));
        StoredRun second = store.save(headSweep("Heads", "b", 1, 0.5));
        store.save(headSweep("Other", "a", 1, 0.5));

        assertEquals(2, store.list(RunQuery.all().withSince(second.startedAt())).runs().size());
        assertEquals(1, store.list(RunQuery.all().withUntil(second.startedAt())).runs().size());
        assertEquals(2, store.list(RunQuery.all().withExperiment("Heads")).runs().size());
        assertEquals(2, store.list(RunQuery.all().withExperiment("Heads.effect")).runs().size());
        assertEquals(0, store.list(RunQuery.all().withExperiment("Heads.other")).runs().size());
        assertEquals(1, store.list(RunQuery.all().withExperiment("Heads").withVersion(2)).runs().size());
        assertEquals(3, store.list(RunQuery.all().withSince(Instant.parse("2026-11-26T10:00:00Z"))).runs().size());
        assertEquals(0, store.list(RunQuery.all().withUntil(Instant.parse("2026-11-26T10:00:00Z"))).runs().size());
        assertEquals(0, store.list(RunQuery.all().withStatus(RunStatus.INTERRUPTED)).runs().size());
    }

    @Test
    void diffShowsTheSourceChangeTheArgumentsAndTheResultsSideBySide() {
        RunStore store = RunStore.open(root);
        StoredRun before = store.save(headSweep("Heads", "logits.diff()", 1, 0.5, 0.25));
        StoredRun after = store.save(headSweep("Heads", "logits.diff() * 2", 0, 1.0, 0.25, 0.75));

        RunComparison comparison = store.compare(before, after);

        assertEquals(List.of(
                "--- Heads v1 (" + before.id() + ")",
                "+++ Heads v2 (" + after.id() + ")",
                "@@ -1,6 +1,6 @@",
                " @Experiment(model = \"gpt2\")",
                " class Heads {",
                "     double effect() {",
                "-        return logits.diff();",
                "+        return logits.diff() * 2;",
                "     }",
                " }"), comparison.sourceDiff());
        assertTrue(comparison.arguments().contains(new RunComparison.Change("overrides.layer", "1", "0")),
                comparison.arguments().toString());
        List<RunComparison.ResultRow> rows = comparison.results();
        assertEquals(List.of("layer=1 head=0", "layer=1 head=1", "layer=0 head=0", "layer=0 head=1",
                "layer=0 head=2"), rows.stream().map(RunComparison.ResultRow::point).toList(),
                "points are named with the fixed layer too, so sweeps at different layers do not collide");
        assertNull(rows.get(0).after());
        assertEquals(0.75, rows.get(4).after().doubleValue());

        StoredRun sameLayer = store.save(headSweep("Heads", "logits.diff() * 2", 1, 1.0, 0.25));
        RunComparison results = store.compare(before, sameLayer);
        assertEquals(0.5, results.results().get(0).difference(), 1e-12);
        assertEquals(0.0, results.results().get(1).difference(), 1e-12);
        assertFalse(results.results().get(1).changed(), results.results().get(1).toString());
        RunComparison sameSetup = store.compare(before, store.save(headSweep("Heads", "logits.diff()", 1, 0.5, 0.25)));
        assertTrue(sameSetup.sameSetup(), sameSetup.toString());
    }

    @Test
    void exportWritesOneLinePerPointWithTheAxesAsColumns() throws Exception {
        RunStore store = RunStore.open(root);
        StoredRun run = store.save(headSweep("Heads", "a", 1, 0.5, -2.0));
        StringWriter out = new StringWriter();

        RunExport.write(List.of(run), RunExport.Format.POINTS, out);

        List<String> lines = out.toString().lines().toList();
        assertEquals(2, lines.size());
        JsonNode second = dev.arrakis.io.Json.MAPPER.readTree(lines.get(1));
        assertEquals(run.id(), second.path("run_id").asText());
        assertEquals(1, second.path("head").asInt());
        assertEquals(-2.0, second.path("value").asDouble());
        assertEquals(1, second.path("version").asInt());
        StringWriter records = new StringWriter();
        RunExport.write(List.of(run), RunExport.Format.RECORDS, records);
        assertEquals(run.documentWithArrays(), dev.arrakis.io.Json.MAPPER.readTree(records.toString().strip()));
    }

    @Test
    void exportedRowsCarryTheFixedLayerAsDiffLabelsTheSamePoints() throws Exception {
        RunStore store = RunStore.open(root);
        StoredRun run = store.save(headSweep("Heads", "a", 1, 0.5, -2.0));
        StringWriter out = new StringWriter();

        RunExport.write(List.of(run), RunExport.Format.POINTS, out);

        List<JsonNode> rows = new java.util.ArrayList<>();
        for (String line : out.toString().lines().toList()) {
            rows.add(dev.arrakis.io.Json.MAPPER.readTree(line));
        }
        List<String> diffLabels = store.compare(run, run).results().stream().map(RunComparison.ResultRow::point)
                .toList();
        assertEquals(List.of("layer=1 head=0", "layer=1 head=1"), diffLabels);
        for (int point = 0; point < rows.size(); point++) {
            JsonNode row = rows.get(point);
            assertEquals(1, row.path("layer").asInt(-1), "the fixed layer is a column of every row: " + row);
            assertEquals(point, row.path("head").asInt(-1), "the swept head: " + row);
            assertEquals(diffLabels.get(point), "layer=" + row.path("layer").asInt() + " head="
                    + row.path("head").asInt(), "export and diff name point " + point + " alike: " + row);
        }
    }

    @Test
    void anEmptyArgumentMapIsAbsentSoAParentAndItsChildIsNeverListedTwice() {
        RunStore store = RunStore.open(root);
        ObjectNode noOverrides = JsonNodeFactory.instance.objectNode();
        noOverrides.putObject("overrides");
        noOverrides.putArray("interventions");
        ObjectNode layerOverride = JsonNodeFactory.instance.objectNode();
        layerOverride.putObject("overrides").put("layer", "1");
        layerOverride.putArray("interventions");
        ArrayNode result = JsonNodeFactory.instance.arrayNode().add(0.5);
        StoredRun before = store.save(StoreFixtures.record("Heads", "a", noOverrides, List.of(), result,
                RunStatus.COMPLETE, 1));
        StoredRun after = store.save(StoreFixtures.record("Heads", "a", layerOverride, List.of(), result,
                RunStatus.COMPLETE, 1));

        assertEquals(List.of(new RunComparison.Change("overrides.layer", null, "1")),
                store.compare(before, after).arguments());
        assertEquals(List.of(new RunComparison.Change("overrides.layer", "1", null)),
                store.compare(after, before).arguments());
    }

    @Test
    void runsOfDifferentMethodsAreNamedAndTheirPointsPairOnlyOverTheSameCoordinates() {
        RunStore store = RunStore.open(root);
        StoredRun heads = store.save(headSweep("Heads", "a", 1, 0.5, 0.25));
        ObjectNode noArguments = JsonNodeFactory.instance.objectNode();
        noArguments.putObject("overrides");
        noArguments.putArray("interventions");
        StoredRun baseline = store.save(StoreFixtures.record("Heads", "baseline", "a", noArguments, List.of(),
                JsonNodeFactory.instance.arrayNode().add(0.75), RunStatus.COMPLETE, 1, null));
        StoredRun otherMethod = store.save(StoreFixtures.record("Heads", "zeroHeads", "a",
                headSweep("Heads", "a", 1, 0.0).arguments(), List.of(new SweepAxis("head", List.of(0, 1))),
                JsonNodeFactory.instance.arrayNode().add(0.375).add(0.125), RunStatus.COMPLETE, 2, null));

        RunComparison unlike = store.compare(heads, baseline);
        assertFalse(unlike.sameRun(), heads.qualifiedName() + " vs " + baseline.qualifiedName());
        assertFalse(unlike.resultsPaired(), "layer x head points against a single point: " + unlike.results());
        assertEquals(List.of("layer=1 head=0", "layer=1 head=1", ""), unlike.results().stream()
                .map(RunComparison.ResultRow::point).toList(), "each run's points listed once, A's first");
        assertEquals(List.of(0.5, 0.25), unlike.results().subList(0, 2).stream()
                .map(row -> row.before().doubleValue()).toList());
        assertNull(unlike.results().get(2).before(), unlike.results().get(2).toString());
        assertEquals(0.75, unlike.results().get(2).after().doubleValue(), unlike.results().get(2).toString());

        RunComparison sameAxes = store.compare(heads, otherMethod);
        assertFalse(sameAxes.sameRun());
        assertTrue(sameAxes.resultsPaired(), "both over layer and head: " + sameAxes.results());
        assertEquals(-0.125, sameAxes.results().get(1).difference(), 1e-12, sameAxes.results().toString());
        assertTrue(store.compare(heads, heads).sameRun());
    }

    @Test
    void anUnknownExperimentNameIsAnErrorThatSuggestsTheNearestInTheStore() {
        RunStore store = RunStore.open(root);
        store.save(headSweep("HeadAblation", "a", 1, 0.5));
        store.save(headSweep("Other", "a", 1, 0.5));

        store.requireRunsOf("HeadAblation");
        store.requireRunsOf("HeadAblation.effect");
        RunStoreException unknown = assertThrows(RunStoreException.class, () -> store.requireRunsOf("HeadAblaton"));
        assertEquals("no runs of HeadAblaton in " + store.root() + "; did you mean 'HeadAblation'?"
                + " (it has runs of HeadAblation.effect, Other.effect)", unknown.getMessage());
        RunStoreException byReference = assertThrows(RunStoreException.class, () -> store.get("HeadAblaton@latest"));
        assertEquals(unknown.getMessage(), byReference.getMessage());
    }

    @Test
    void theInterventionsReadBackAsTheRunDeclaredThem() {
        RunStore store = RunStore.open(root);
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.putObject("overrides");
        ObjectNode ablation = arguments.putArray("interventions").addObject();
        ablation.put("label", "ablate").put("kind", "ablate").put("hook", "mlp.hook_post");
        ablation.putObject("layer").put("swept", false).putArray("values").add(0);
        ablation.putObject("neuron").put("swept", false).putArray("values").add(3).add(17).add(200);
        ablation.put("method", "MEAN");
        StoredRun run = store.save(StoreFixtures.record("Neurons", "a", arguments, List.of(),
                JsonNodeFactory.instance.arrayNode().add(0.5), RunStatus.COMPLETE, 1));

        assertEquals(List.of(new dev.arrakis.spec.Intervention.Ablation("mlp.hook_post",
                dev.arrakis.spec.Selection.of(0), dev.arrakis.spec.Selection.none(),
                dev.arrakis.spec.Selection.of(3, 17, 200), dev.arrakis.spec.Selection.none(),
                dev.arrakis.annotations.AblationMethod.MEAN)), run.interventions());
    }

    @Test
    void anExperimentNameCannotClimbOutOfTheStore() {
        RunStore store = RunStore.open(root);
        store.save(headSweep("../../escape", "a", 1, 0.5));
        Path escaped = store.root().resolve("experiments/%2E%2E%2F%2E%2E%2Fescape");
        assertTrue(Files.isDirectory(escaped), "no directory " + escaped);
        assertEquals("../../escape", store.get("latest").experiment());
    }

    private static StoreProblem problemFor(RunListing listing, String entry) {
        return listing.problems().stream().filter(problem -> problem.entry().endsWith(entry)).findFirst()
                .orElseThrow(() -> new AssertionError("no problem for " + entry + " in " + listing.problems()));
    }

    private static long deadProcessId() throws Exception {
        Process process = new ProcessBuilder("true").start();
        process.waitFor();
        return process.pid();
    }
}
