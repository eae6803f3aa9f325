package dev.arrakis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunListener;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.engine.StopSignal;
import dev.arrakis.io.Json;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunQuery;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoreFixtures;
import dev.arrakis.runs.StoredRun;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code run} recording into the store, and {@code runs}, {@code show}, {@code diff}, {@code export} reading it. */
class RunStoreCliTest {
    private static final Path CHECKPOINT = Path.of("src/test/resources/reference/gpt2-prefixed");

    @TempDir
    Path temp;

    @Test
    void aRunIsRecordedWithEverythingNeededToTraceItsNumbers() throws Exception {
        Path store = temp.resolve("store");
        CliTest.Outcome outcome = CliTest.run("run", "RegisteredTest.headSweep", "head=1,3", "--seed", "7",
                "--profile", "--store", store.toString());
        assertEquals(0, outcome.code(), outcome.err());
        StoredRun run = RunStore.open(store).get("latest");
        assertTrue(outcome.out().contains("recorded " + run.id() + " (RegisteredTest.headSweep v1) in "
                + store.toAbsolutePath()), outcome.out());

        JsonNode record = run.document();
        assertEquals(7, record.path("seed").asInt());
        assertEquals("COMPLETE", record.path("status").asText());
        assertEquals("1,3", record.path("arguments").path("overrides").path("head").asText());
        JsonNode weights = record.path("model").path("weights").get(0);
        byte[] file = Files.readAllBytes(CHECKPOINT.resolve("model.safetensors"));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(file)),
                weights.path("sha256").asText());
        assertEquals(file.length, weights.path("bytes").asLong());
        assertTrue(record.path("environment").path("engine").asText().startsWith("PyTorch "), record.toString());
        assertTrue(record.path("environment").path("djl").asText().matches("[0-9]+\\.[0-9]+\\.[0-9]+.*"));
        JsonNode memory = record.path("memory");
        long baselineRss = memory.path("baselineRssBytes").asLong();
        long peakRss = memory.path("peakRssBytes").asLong();
        assertTrue(baselineRss > 0 && peakRss >= baselineRss,
                "a JVM's resident set, and a peak not below it: baseline " + baselineRss + " B, peak " + peakRss
                        + " B in " + memory);
        List<String> components = record.path("profile").path("components").findValuesAsText("component");
        assertEquals(List.of("embed", "blocks.0.attn", "blocks.0.mlp", "blocks.1.attn", "blocks.1.mlp", "unembed"),
                components);
        assertEquals(List.of(run.directory().resolve("plots/headSweep.png"),
                run.directory().resolve("plots/headSweep.svg")), run.pictures());
        assertTrue(Files.size(run.pictures().get(0)) > 1000);
        String page = Files.readString(run.page());
        assertTrue(page.contains("<img src=\"plots/headSweep.png\""), page);

        CliTest.Outcome shown = CliTest.run("show", StoredRunIds.shortId(run), "--store", store.toString());
        assertEquals(0, shown.code(), shown.err());
        assertTrue(shown.out().contains("name      RegisteredTest.headSweep  v1"), shown.out());
        assertTrue(shown.out().contains("seed      7"), shown.out());
        assertTrue(shown.out().contains("sha256 " + weights.path("sha256").asText()), shown.out());
        assertTrue(shown.out().contains("profile   component"), shown.out());
        assertTrue(shown.out().contains("head=3  " + ResultTable.format(run.document().path("results").get(1))),
                shown.out());
    }

    @Test
    void runsListsShowFindsDiffComparesAndExportWritesJsonLines() throws Exception {
        Path store = temp.resolve("store");
        assertEquals(0, CliTest.run("run", "RegisteredTest.headSweep", "head=0,1", "--store", store.toString()).code());
        assertEquals(0, CliTest.run("run", "RegisteredTest.headSweep", "head=1,2", "--store", store.toString()).code());
        assertEquals(0, CliTest.run("run", "RegisteredTest.logitDiff", "--store", store.toString()).code());

        CliTest.Outcome listed = CliTest.run("runs", "RegisteredTest.headSweep", "--store", store.toString());
        assertEquals(0, listed.code(), listed.err());
        List<String> lines = listed.out().lines().toList();
        assertEquals(3, lines.size(), listed.out());
        assertTrue(lines.get(1).contains("RegisteredTest.headSweep") && lines.get(1).contains("v1")
                && lines.get(1).contains("complete"), lines.get(1));

        CliTest.Outcome diff = CliTest.run("diff", "RegisteredTest.headSweep@latest~1",
                "RegisteredTest.headSweep@latest", "--store", store.toString());
        assertEquals(0, diff.code(), diff.err());
        assertTrue(diff.out().contains("source: the same (v1)"), diff.out());
        assertTrue(diff.out().contains("overrides.head: 0,1 -> 1,2"), diff.out());
        List<StoredRun> runs = RunStore.open(store).list(RunQuery.all().withExperiment("RegisteredTest.headSweep"))
                .runs();
        String head1Before = ResultTable.format(runs.get(0).document().path("results").get(1));
        String head1After = ResultTable.format(runs.get(1).document().path("results").get(0));
        assertEquals(head1Before, head1After, "the same head ablated twice gives the same number");
        assertTrue(diff.out().lines().anyMatch(line -> line.matches("\\s+layer=0 head=1\\s+" + head1Before.replace(
                ".", "\\.") + "\\s+" + head1After.replace(".", "\\.") + "\\s+\\+0\\.000000\\s+=")), diff.out());
        assertTrue(diff.out().lines().anyMatch(line -> line.matches("\\s+layer=0 head=2\\s+-\\s+\\S+\\s+")),
                diff.out());

        Path exported = temp.resolve("runs.jsonl");
        CliTest.Outcome export = CliTest.run("export", "--experiment", "RegisteredTest.headSweep", "-o",
                exported.toString(), "--store", store.toString());
        assertEquals(0, export.code(), export.err());
        List<String> rows = Files.readAllLines(exported);
        assertEquals(4, rows.size(), "two points from each of two runs");
        JsonNode first = Json.MAPPER.readTree(rows.get(0));
        assertEquals(runs.get(0).id(), first.path("run_id").asText());
        assertEquals(0, first.path("head").asInt());
        assertEquals(runs.get(0).document().path("results").get(0).asDouble(), first.path("value").asDouble());
    }

    @Test
    void aCorruptRunIsNamedWhileTheOthersStillList() throws Exception {
        Path store = temp.resolve("store");
        assertEquals(0, CliTest.run("run", "RegisteredTest.logitDiff", "--store", store.toString()).code());
        assertEquals(0, CliTest.run("run", "RegisteredTest.logitDiff", "--store", store.toString()).code());
        StoredRun broken = RunStore.open(store).get("latest");
        Files.writeString(broken.directory().resolve("run.json"), "not json");

        CliTest.Outcome listed = CliTest.run("runs", "--store", store.toString());

        assertEquals(0, listed.code(), listed.err());
        assertEquals(2, listed.out().lines().count(), listed.out());
        assertTrue(listed.err().contains("runs: skipped runs/" + broken.id() + ": run.json is not valid JSON"),
                listed.err());
        CliTest.Outcome shown = CliTest.run("show", broken.id(), "--store", store.toString());
        assertEquals(ArrakisCli.BAD_INPUT, shown.code());
        assertTrue(shown.err().startsWith("show: run runs/" + broken.id() + " cannot be read"), shown.err());
        CliTest.Outcome unknown = CliTest.run("show", "nosuch", "--store", store.toString());
        assertEquals(ArrakisCli.BAD_INPUT, unknown.code());
        assertTrue(unknown.err().startsWith("show: no run 'nosuch' in "), unknown.err());
    }

    @Test
    void aStoppedRunRecordsTheFinishedPointsAndExitsWith130() throws Exception {
        Path store = temp.resolve("store");
        StopSignal stop = new StopSignal();
        RunCommand command = new RunCommand();
        command.stopSignal = stop;
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        // Stop once the first pass is in: the request is seen before the second of four one-point passes.
        command.listener = new RunListener() {
            @Override
            public void progressed(int finished, int points) {
                stop.request();
            }
        };
        int code = commandLine.execute("RegisteredTest.headSweep", "--max-rows", "1", "--store", store.toString());

        assertEquals(RunCommand.INTERRUPTED, code, err.toString());
        assertTrue(err.toString().contains("interrupted: 1 of 4 points finished"), err.toString());
        StoredRun run = RunStore.open(store).get("latest");
        assertEquals(RunStatus.INTERRUPTED, run.status());
        assertEquals(1, run.completedPoints());
        assertEquals(4, run.points());
        JsonNode results = run.document().path("results");
        assertTrue(results.get(0).isNumber());
        assertTrue(results.get(1).isNull() && results.get(3).isNull(), results.toString());
        assertEquals(completeRun().vector()[0], results.get(0).asDouble(), 0.0);
    }

    @Test
    void ctrlCInAChildJvmStopsTheSweepAndRecordsTheFinishedPoints() throws Exception {
        // A background job of a non-interactive shell starts with SIGINT ignored, the child inherits that, and a
        // JVM that starts so never sees a Ctrl-C.
        assumeFalse(sigintIgnoredHere(), "SIGINT is ignored in this process, so in the child too");
        Path store = temp.resolve("store");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                "-Dai.djl.offline=true", "-D" + "arrakis.test.pointGate" + "=true",
                ArrakisCli.class.getName(), "run", "RegisteredTest.headSweep", "--max-rows", "1", "--store",
                store.toString())
                .start();
        // Only against a hang (a lost signal leaves the child waiting at its gate); then the assertions say why.
        CompletableFuture.delayedExecutor(120, TimeUnit.SECONDS).execute(child::destroyForcibly);
        StringBuilder childErr = new StringBuilder();
        // Each point waits for a line on stdin; the second is let go only once the child has taken in the Ctrl-C,
        // so the stop is seen before the third pass however slowly either process runs.
        try (BufferedReader err = new BufferedReader(new InputStreamReader(child.getErrorStream(),
                StandardCharsets.UTF_8));
                PrintWriter gate = new PrintWriter(child.getOutputStream(), true, StandardCharsets.UTF_8)) {
            int done = 0;
            for (String line = err.readLine(); line != null; line = err.readLine()) {
                childErr.append(line).append('\n');
                if (line.equals("point done") && ++done == 2) {
                    new ProcessBuilder("kill", "-INT", String.valueOf(child.pid())).start().waitFor();
                } else if (line.equals("point done") || line.startsWith("stopping after the current forward pass")) {
                    gate.println();
                }
            }
        }
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the child is still running:\n" + childErr);
        String childOut = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(130, child.exitValue(), childErr + childOut);
        assertTrue(childErr.toString().contains("stopping after the current forward pass"), childErr.toString());

        StoredRun run = RunStore.open(store).get("latest");
        assertTrue(childOut.contains("recorded " + run.id()), childOut);
        assertEquals(RunStatus.INTERRUPTED, run.status());
        int finished = run.completedPoints();
        assertEquals(2, finished, "stopped before the pass after the Ctrl-C");
        double[] complete = completeRun().vector();
        JsonNode results = run.document().path("results");
        for (int point = 0; point < 4; point++) {
            if (point < finished) {
                assertEquals(complete[point], results.get(point).asDouble(), 0.0, "point " + point);
            } else {
                assertTrue(results.get(point).isNull(), results.toString());
            }
        }
    }

    @Test
    void progressBarShowsPointsAndAnEtaOnceASweepHasRunForAWhile() {
        StringWriter err = new StringWriter();
        ProgressDisplay display = new ProgressDisplay(new PrintWriter(err, true), Duration.ZERO);
        display.started("E", "sweep", 10);
        display.progressed(3, 10);
        // The library redraws from its own thread, so wait for the first drawing before finishing.
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!err.toString().contains("3/10") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        display.ended(RunStatus.COMPLETE, 10, 10);
        String drawn = err.toString();
        assertTrue(drawn.startsWith("\rE.sweep  30% ["), "drawn in place, from the progress so far: " + drawn);
        // The elapsed time is the machine's: under load the first drawing can come after a second or more.
        assertTrue(drawn.matches("(?s).*  3/10 points \\(\\d+:\\d\\d:\\d\\d / .*"),
                "points and elapsed / ETA: " + drawn);
        assertTrue(drawn.contains("E.sweep 100% [") && drawn.contains(" 10/10 points ("), drawn);
        assertTrue(drawn.endsWith(System.lineSeparator()), "the finished bar is left on its own line");

        StringWriter tokens = new StringWriter();
        ProgressDisplay generating = new ProgressDisplay(new PrintWriter(tokens, true), Duration.ZERO, "tokens");
        generating.started("generate", "model", 4);
        generating.progressed(1, 4);
        generating.ended(RunStatus.COMPLETE, 4, 4);
        assertTrue(tokens.toString().contains(" 4/4 tokens ("), "a bar counting tokens says so: " + tokens);

        StringWriter quiet = new StringWriter();
        ProgressDisplay slow = new ProgressDisplay(new PrintWriter(quiet, true), Duration.ofHours(1));
        slow.started("E", "sweep", 10);
        slow.progressed(5, 10);
        slow.ended(RunStatus.COMPLETE, 10, 10);
        assertEquals("", quiet.toString(), "a sweep quicker than the delay shows no bar");
    }

    @Test
    void runsKeepsItsColumnsAlignedWhateverTheNameLengths() {
        Path store = temp.resolve("store");
        RunStore runStore = RunStore.open(store);
        runStore.save(StoreFixtures.headSweep("E", "a", 0, 0.5));
        runStore.save(StoreFixtures.record("AnExperimentWithAVeryLongDescriptiveName",
                "andARunMethodWhoseNameIsLongerStill", "a", StoreFixtures.headSweep("E", "a", 0, 0.5).arguments(),
                List.of(new dev.arrakis.runs.SweepAxis("head", List.of(0, 1))),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(0.5).add(0.25),
                RunStatus.COMPLETE, 2, null));

        CliTest.Outcome listed = CliTest.run("runs", "--store", store.toString());

        assertEquals(0, listed.code(), listed.err());
        List<String> lines = listed.out().lines().toList();
        assertEquals(3, lines.size(), listed.out());
        String header = lines.get(0);
        for (String line : lines.subList(1, 3)) {
            String[] expected = {"v1", "complete", "2026-11-26T", line.contains("E.effect") ? "1" : "2"};
            String[] columns = {"VER", "STATUS", "STARTED (UTC)", "POINTS"};
            for (int column = 0; column < columns.length; column++) {
                int start = header.indexOf(columns[column]);
                assertTrue(line.length() > start && line.substring(start).startsWith(expected[column])
                        && line.charAt(start - 1) == ' ', "column " + columns[column] + " starts at " + start
                        + " in the header, so '" + expected[column] + "' should start there in:\n" + header + "\n"
                        + line);
            }
        }
    }

    @Test
    void anUnknownExperimentNameIsAnErrorWithASuggestionInEveryStoreCommand() {
        Path store = temp.resolve("store");
        RunStore.open(store).save(StoreFixtures.headSweep("HeadAblation", "a", 1, 0.5));
        String expected = "no runs of HeadAblaton in " + store.toAbsolutePath() + "; did you mean 'HeadAblation'?"
                + " (it has runs of HeadAblation.effect)";

        List<List<String>> commands = List.of(List.of("runs", "HeadAblaton"),
                List.of("export", "--experiment", "HeadAblaton"), List.of("show", "HeadAblaton@latest"),
                List.of("diff", "HeadAblation@latest", "HeadAblaton@latest"));
        for (List<String> command : commands) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--store", store.toString()));
            CliTest.Outcome outcome = CliTest.run(args.toArray(String[]::new));
            assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), command + ": " + outcome.out() + outcome.err());
            assertEquals(command.get(0) + ": " + expected + System.lineSeparator(), outcome.err(), command.toString());
        }
    }

    @Test
    void aMissingStoreIsAnErrorNamingItsAbsolutePathAndHowToNameAnother() {
        Path missing = temp.resolve("no-such-store");
        for (List<String> command : List.of(List.of("runs"), List.of("export"), List.of("show", "latest"),
                List.of("diff", "latest~1", "latest"))) {
            List<String> args = new java.util.ArrayList<>(command);
            args.addAll(List.of("--store", missing.toString()));
            CliTest.Outcome outcome = CliTest.run(args.toArray(String[]::new));
            assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), command + ": " + outcome.out() + outcome.err());
            assertEquals(1, outcome.err().lines().count(), outcome.err());
            assertTrue(outcome.err().startsWith(command.get(0) + ": no run store at " + missing.toAbsolutePath()
                    + " (from --store)") && outcome.err().contains("--store DIR")
                    && outcome.err().contains(RunStore.ENVIRONMENT_VARIABLE), command + ": " + outcome.err());
        }
    }

    @Test
    void anEmptyExportSaysWhichStoreItRead() throws Exception {
        Path store = temp.resolve("store");
        RunStore.open(store).save(StoreFixtures.headSweep("Heads", "a", 1, 0.5));
        Path file = temp.resolve("none.jsonl");

        CliTest.Outcome toFile = CliTest.run("export", "--experiment", "Heads", "--version", "2", "-o",
                file.toString(), "--store", store.toString());
        CliTest.Outcome toOut = CliTest.run("export", "--experiment", "Heads", "--version", "2", "--store",
                store.toString());

        assertEquals(0, toFile.code(), toFile.err());
        assertEquals("exported 0 runs from " + store.toAbsolutePath() + " to " + file + System.lineSeparator(),
                toFile.err());
        assertEquals(0L, Files.size(file));
        assertEquals(0, toOut.code(), toOut.err());
        assertEquals("", toOut.out());
        assertEquals("export: no runs to export in " + store.toAbsolutePath() + System.lineSeparator(),
                toOut.err());
    }

    @Test
    void diffOfTwoDifferentRunsSaysSoFirstAndDoesNotPairUnlikePoints() {
        Path store = temp.resolve("store");
        RunStore runStore = RunStore.open(store);
        runStore.save(StoreFixtures.headSweep("Heads", "a", 1, 0.5, 0.25));
        com.fasterxml.jackson.databind.node.ObjectNode noArguments =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        noArguments.putObject("overrides");
        runStore.save(StoreFixtures.record("Heads", "baseline", "a", noArguments, List.of(),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(0.75),
                RunStatus.COMPLETE, 1, null));

        CliTest.Outcome diff = CliTest.run("diff", "latest~1", "latest", "--store", store.toString());

        assertEquals(0, diff.code(), diff.err());
        List<String> lines = diff.out().lines().toList();
        assertEquals("note: comparing different runs: Heads.effect vs Heads.baseline", lines.get(0), diff.out());
        assertTrue(lines.contains("results: not paired point by point: A's points are named by layer, head and B's"
                + " by none (a single point)"), diff.out());
        assertTrue(lines.stream().anyMatch(line -> line.matches("  A layer=1 head=0\\s+0\\.500000")), diff.out());
        assertTrue(lines.stream().anyMatch(line -> line.matches("  B \\(single point\\)\\s+0\\.750000")),
                diff.out());
        assertTrue(lines.stream().noneMatch(line -> line.startsWith("  overrides:")), diff.out());
    }

    @Test
    void showRendersInterventionsAsListDoes() {
        Path store = temp.resolve("store");
        com.fasterxml.jackson.databind.node.ObjectNode arguments =
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        arguments.putObject("overrides");
        com.fasterxml.jackson.databind.node.ObjectNode ablation = arguments.putArray("interventions").addObject();
        ablation.put("label", "ablate").put("kind", "ablate").put("hook", "mlp.hook_post");
        ablation.putObject("layer").put("swept", false).putArray("values").add(0);
        ablation.putObject("neuron").put("swept", false).putArray("values").add(3).add(17).add(200);
        ablation.put("method", "MEAN");
        StoredRun run = RunStore.open(store).save(StoreFixtures.record("Neurons", "a", arguments, List.of(),
                com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(0.5),
                RunStatus.COMPLETE, 1));

        CliTest.Outcome shown = CliTest.run("show", run.id(), "--store", store.toString());

        assertEquals(0, shown.code(), shown.err());
        List<String> lines = shown.out().lines().toList();
        assertTrue(lines.contains("          ablate mean mlp.hook_post layer=[0] neuron=[3,17,200]"), shown.out());
        assertTrue(lines.stream().noneMatch(line -> line.contains("{")), shown.out());
    }

    /** Whether SIGINT (signal 2) is in this process's ignored set, which children inherit. */
    private static boolean sigintIgnoredHere() throws java.io.IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return false;
        }
        return Files.readAllLines(status).stream()
                .filter(line -> line.startsWith("SigIgn:"))
                .anyMatch(line -> (Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16) & 0b10) != 0);
    }

    private static RunOutcome completeRun() {
        try (ExperimentRunner runner = ExperimentRunner.open(ExperimentRegistry.load(RunStoreCliTest.class
                .getClassLoader()).find("RegisteredTest"), RunnerOptions.defaults())) {
            return runner.run("headSweep", Map.of());
        }
    }

    /** Test access to a run's short id, as a researcher would copy it from {@code runs}. */
    private static final class StoredRunIds {
        static String shortId(StoredRun run) {
            return run.id().substring(run.id().lastIndexOf('-') + 1);
        }
    }
}
