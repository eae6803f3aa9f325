package dev.arrakis.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.cli.ArrakisCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The short, deterministic form of {@code tools/store-scale}: naming a run reads only the records it needs, however
 * many the store holds. Proved by counting rather than timing: every record but the few a reference needs is
 * garbage, and a reference that read one would report it as skipped, as {@code runs}, which must read them all, does.
 */
class StoreScaleTest {
    private static final int RUNS = 100;
    /** The newest runs and the oldest stay readable; every run between has a garbage record. */
    private static final int NEWEST_KEPT = 3;

    @TempDir
    Path root;

    @Test
    void latestDiffAndShortIdsReadOnlyTheRecordsTheyNeed() throws IOException {
        RunStore store = RunStore.open(root);
        List<String> ids = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            ids.add(store.save(StoreScale.record(run)).id());
        }
        for (int run = 1; run < RUNS - NEWEST_KEPT; run++) {
            Files.writeString(store.root().resolve("runs/" + ids.get(run) + "/run.json"), "garbage");
        }
        List<StoreProblem> skipped = new ArrayList<>();

        assertEquals(ids.get(RUNS - NEWEST_KEPT), store.get("latest~" + (NEWEST_KEPT - 1), skipped::add).id());
        assertEquals(ids.get(0), store.get(StoreNames.shortId(ids.get(0)), skipped::add).id());
        assertEquals(ids.get(0), store.get(ids.get(0).substring(0, 17), skipped::add).id(), "a unique prefix");
        assertEquals(List.of(), skipped, "records read besides the ones named");

        String[] show = cli(store, "show", "latest");
        assertEquals("", show[1], "show latest reads no damaged record, so reports none");
        String[] diff = cli(store, "diff", "latest~1", "latest");
        assertEquals("", diff[1], "diff latest~1 latest reads no damaged record, so reports none");
        String[] runs = cli(store, "runs");
        assertEquals(RUNS - NEWEST_KEPT - 1, runs[1].lines().count(), "runs reads every record, so reports each"
                + " damaged one: " + runs[1].lines().limit(3).toList());
        assertEquals(1 + NEWEST_KEPT + 1, runs[0].lines().count(), "a header and the readable runs: " + runs[0]);
    }

    /** The command's standard output and standard error, after checking that it succeeded. */
    private static String[] cli(RunStore store, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] withStore = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                java.util.stream.Stream.of("--store", store.root().toString())).toArray(String[]::new);
        int code = ArrakisCli.execute(withStore, new PrintWriter(out), new PrintWriter(err));
        assertEquals(0, code, String.join(" ", args) + ": " + err);
        return new String[] {out.toString(), err.toString()};
    }
}
