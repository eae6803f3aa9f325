package dev.arrakis.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers in other JVMs and threads sharing one store, and a writer killed with SIGKILL while it writes. */
class SeveralWritersTest {
    private static final int RUNS_PER_WRITER = 20;

    @TempDir
    Path root;

    @Test
    void twoJvmsWritingAtOnceLoseNothingAndAgreeOnVersions() throws Exception {
        Process first = writer("Shared", RUNS_PER_WRITER, "first");
        Process second = writer("Shared", RUNS_PER_WRITER, "second");
        List<String> saved = new ArrayList<>(lines(first));
        saved.addAll(lines(second));
        assertEquals(0, first.waitFor(), "first writer");
        assertEquals(0, second.waitFor(), "second writer");

        assertEquals(2 * RUNS_PER_WRITER, saved.size());
        RunListing listing = RunStore.open(root).list(RunQuery.all());
        assertEquals(List.of(), listing.problems());
        assertEquals(2 * RUNS_PER_WRITER, listing.runs().size(), "every run of both writers is there");
        assertEquals(2, RunStore.open(root).versions("Shared").size(), "two sources, two versions");
        Map<String, Integer> versionBySource = new HashMap<>();
        for (StoredRun run : listing.runs()) {
            Integer earlier = versionBySource.putIfAbsent(run.source(), run.version());
            assertTrue(earlier == null || earlier == run.version(), "one source, one version: " + run);
        }
        for (String line : saved) {
            String[] parts = line.split(" ");
            StoredRun run = RunStore.open(root).get(parts[1]);
            assertEquals(parts[2], "v" + run.version());
            String[] writerAndIndex = parts[parts.length - 1].split("-");
            assertResults(run, StoreWriterMain.results(writerAndIndex[0], Integer.parseInt(writerAndIndex[1])));
        }
    }

    @Test
    void threadsOfOneJvmAgreeOnVersionsToo() throws Exception {
        RunStore store = RunStore.open(root);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<StoredRun>> futures = new ArrayList<>();
            for (int i = 0; i < 16; i++) {
                String body = "body " + (i % 3);
                futures.add(pool.submit(() -> store.save(StoreFixtures.headSweep("Threads", body, 0, 1.0))));
            }
            for (Future<StoredRun> future : futures) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(16, store.list(RunQuery.all()).runs().size());
        assertEquals(3, store.versions("Threads").size());
    }

    @Test
    void aWriterKilledMidRunLeavesEveryEarlierRunIntactAndNothingHalfVisible() throws Exception {
        Process writer = writer("Killed", 10_000, "killed");
        List<String> saved = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(writer.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = reader.readLine(); line != null && saved.size() < 12; line = reader.readLine()) {
                saved.add(line);
            }
            writer.destroyForcibly();
            assertTrue(writer.waitFor(60, TimeUnit.SECONDS), "the killed writer " + writer.pid() + " is still alive");
        }
        assertEquals(137, writer.exitValue(), "killed by SIGKILL");
        assertEquals(12, saved.size());

        RunListing listing = RunStore.open(root).list(RunQuery.all());
        assertTrue(listing.runs().size() >= saved.size(),
                "every run it reported is listed: " + listing.runs().size() + " listed, " + saved.size() + " reported");
        for (String line : saved) {
            String[] parts = line.split(" ");
            StoredRun run = RunStore.open(root).get(parts[1]);
            String[] writerAndIndex = parts[parts.length - 1].split("-");
            assertResults(run, StoreWriterMain.results(writerAndIndex[0], Integer.parseInt(writerAndIndex[1])));
        }
        for (StoredRun run : listing.runs()) {
            run.documentWithArrays();
        }
        for (StoreProblem problem : listing.problems()) {
            assertTrue(problem.entry().startsWith("runs/.incomplete-") && problem.problem()
                    .contains("process " + writer.pid() + ", which is gone"), problem.toString());
        }
    }

    private static void assertResults(StoredRun run, double[] expected) {
        JsonNode results = run.documentWithArrays().path("results");
        assertEquals(expected.length, results.size(), run.toString());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], results.get(i).doubleValue(), 0.0, run + " point " + i);
        }
    }

    private Process writer(String experiment, int count, String tag) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                StoreWriterMain.class.getName(), root.toString(), experiment, String.valueOf(count), tag)
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
    }

    private static List<String> lines(Process process) throws Exception {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            return reader.lines().toList();
        }
    }
}
