package dev.arrakis.runs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.cli.ArrakisCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A store of a dozen runs, two of them damaged (the newest and one in the middle), in each way a record gets
 * damaged: listing, {@code latest}, {@code NAME@latest~N} and the {@code runs}, {@code show} and {@code diff}
 * commands skip the damaged runs and report each in one line naming its file; none of them deletes or changes a
 * byte of it; naming a damaged run outright is an error that names it.
 */
class DamagedRecordTest {
    private static final int RUNS = 12;
    /** Enough results that each run keeps them in arrays.safetensors rather than inline. */
    private static final int POINTS = ArrayFiles.INLINE_LIMIT + 4;
    private static final int NEWEST = RUNS - 1;
    private static final int MIDDLE = 5;

    /** One way a run's files get damaged, and how the store then describes the run. */
    enum Damage {
        TRUNCATED_JSON("run.json is not valid JSON") {
            @Override
            void apply(Path run) throws IOException {
                Path record = run.resolve("run.json");
                byte[] whole = Files.readAllBytes(record);
                Files.write(record, java.util.Arrays.copyOf(whole, whole.length / 2));
            }
        },
        GARBAGE("run.json is not valid JSON") {
            @Override
            void apply(Path run) throws IOException {
                Files.write(run.resolve("run.json"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 'I', 'H'});
            }
        },
        MISSING_ARRAYS("run.json refers to arrays.safetensors, which is missing") {
            @Override
            void apply(Path run) throws IOException {
                Files.delete(run.resolve("arrays.safetensors"));
            }
        },
        FUTURE_FORMAT("run.json is format 2, newer than this Arrakis reads") {
            @Override
            void apply(Path run) throws IOException {
                Path record = run.resolve("run.json");
                String written = Files.readString(record);
                String future = written.replace("\"format\" : 1,", "\"format\" : 2,");
                if (future.equals(written)) {
                    throw new AssertionError("no format field in " + written);
                }
                Files.writeString(record, future);
            }
        },
        /** Read by its id's second, `latest` would place such a run where `runs` does not. */
        STARTED_ELSEWHERE("field 'startedAt' (2020-") {
            @Override
            void apply(Path run) throws IOException {
                Path record = run.resolve("run.json");
                String written = Files.readString(record);
                String moved = written.replace("\"startedAt\" : \"2026-", "\"startedAt\" : \"2020-");
                if (moved.equals(written)) {
                    throw new AssertionError("no startedAt in 2026 in " + written);
                }
                Files.writeString(record, moved);
            }
        };

        final String problem;

        Damage(String problem) {
            this.problem = problem;
        }

        abstract void apply(Path run) throws IOException;
    }

    @TempDir
    Path root;

    private RunStore store;
    private List<String> ids;

    @BeforeEach
    void fillStore() {
        store = RunStore.open(root);
        ids = new ArrayList<>();
        for (int run = 0; run < RUNS; run++) {
            ids.add(store.save(sweep(run)).id());
        }
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void listingSkipsAndNamesEachDamagedRecord(Damage damage) throws IOException {
        Map<Path, byte[]> damaged = damage(damage);

        RunListing listing = store.list(RunQuery.all());

        assertEquals(undamagedIds(), listing.runs().stream().map(StoredRun::id).toList(), "listed runs");
        assertEquals(List.of("runs/" + ids.get(MIDDLE), "runs/" + ids.get(NEWEST)),
                listing.problems().stream().map(StoreProblem::entry).toList(), "reported: " + listing.problems());
        listing.problems().forEach(problem -> assertTrue(problem.problem().startsWith(damage.problem),
                "expected '" + damage.problem + "' in " + problem));
        assertUnchanged(damaged);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void latestAndItsPredecessorsSkipDamagedRecordsAndReportThem(Damage damage) throws IOException {
        Map<Path, byte[]> damaged = damage(damage);
        List<StoreProblem> skipped = new ArrayList<>();

        StoredRun latest = store.get("latest", skipped::add);

        assertEquals(ids.get(NEWEST - 1), latest.id(), "the newest readable run");
        assertEquals(List.of("runs/" + ids.get(NEWEST)), skipped.stream().map(StoreProblem::entry).toList());
        assertTrue(skipped.get(0).problem().startsWith(damage.problem), skipped.toString());

        skipped.clear();
        StoredRun back = store.get("Heads@latest~5", skipped::add);

        assertEquals(ids.get(MIDDLE - 1), back.id(), "five readable runs back from " + ids.get(NEWEST - 1));
        assertEquals(List.of("runs/" + ids.get(NEWEST), "runs/" + ids.get(MIDDLE)),
                skipped.stream().map(StoreProblem::entry).toList());
        assertUnchanged(damaged);
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void theCommandsSkipDamagedRecordsWithOneLineEachAndRefuseOneNamedOutright(Damage damage) throws IOException {
        Map<Path, byte[]> damaged = damage(damage);
        String newestProblem = "runs/" + ids.get(NEWEST) + ": " + damage.problem;

        Outcome runs = cli("runs");
        assertEquals(0, runs.code(), runs.err());
        assertEquals(1 + RUNS - 2, runs.out().lines().count(), "a header and the readable runs:\n" + runs.out());
        List<String> runsErr = runs.err().lines().toList();
        assertEquals(2, runsErr.size(), runs.err());
        assertTrue(runsErr.get(0).startsWith("runs: skipped runs/" + ids.get(MIDDLE) + ": " + damage.problem)
                && runsErr.get(1).startsWith("runs: skipped " + newestProblem), runs.err());

        Outcome show = cli("show", "latest");
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().startsWith("run       " + ids.get(NEWEST - 1)), show.out());
        assertEquals(1, show.err().lines().count(), show.err());
        assertTrue(show.err().startsWith("show: skipped " + newestProblem), show.err());

        Outcome diff = cli("diff", "latest~1", "latest");
        assertEquals(0, diff.code(), diff.err());
        assertTrue(diff.out().contains("A  " + ids.get(NEWEST - 2)) && diff.out().contains("B  " + ids.get(NEWEST - 1)),
                diff.out());
        assertEquals(1, diff.err().lines().count(), "the damaged run reported once: " + diff.err());
        assertTrue(diff.err().startsWith("diff: skipped " + newestProblem), diff.err());

        Outcome named = cli("show", ids.get(NEWEST));
        assertEquals(ArrakisCli.BAD_INPUT, named.code(), named.err());
        assertEquals(1, named.err().lines().count(), named.err());
        assertTrue(named.err().startsWith("show: run runs/" + ids.get(NEWEST) + " cannot be read: " + damage.problem),
                named.err());
        Outcome diffNamed = cli("diff", ids.get(0), ids.get(MIDDLE));
        assertEquals(ArrakisCli.BAD_INPUT, diffNamed.code(), diffNamed.err());
        assertTrue(diffNamed.err().startsWith("diff: run runs/" + ids.get(MIDDLE) + " cannot be read: "
                + damage.problem), diffNamed.err());
        assertUnchanged(damaged);
    }

    private record Outcome(int code, String out, String err) {}

    private Outcome cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        String[] withStore = Stream.concat(Stream.of(args), Stream.of("--store", root.toString()))
                .toArray(String[]::new);
        int code = ArrakisCli.execute(withStore, new PrintWriter(out), new PrintWriter(err));
        return new Outcome(code, out.toString(), err.toString());
    }

    /** Damages the newest run and one in the middle, and returns every file of theirs as it then is. */
    private Map<Path, byte[]> damage(Damage damage) throws IOException {
        Map<Path, byte[]> files = new LinkedHashMap<>();
        for (int run : List.of(MIDDLE, NEWEST)) {
            Path directory = store.root().resolve("runs").resolve(ids.get(run));
            damage.apply(directory);
            try (Stream<Path> paths = Files.walk(directory)) {
                for (Path file : paths.filter(Files::isRegularFile).toList()) {
                    files.put(file, Files.readAllBytes(file));
                }
            }
        }
        return files;
    }

    private static void assertUnchanged(Map<Path, byte[]> files) throws IOException {
        for (Map.Entry<Path, byte[]> file : files.entrySet()) {
            assertTrue(Files.isRegularFile(file.getKey()), "still there: " + file.getKey());
            assertArrayEquals(file.getValue(), Files.readAllBytes(file.getKey()), "unchanged: " + file.getKey());
        }
    }

    private List<String> undamagedIds() {
        return IntStream.range(0, RUNS).filter(run -> run != MIDDLE && run != NEWEST).mapToObj(ids::get).toList();
    }

    /** A head sweep without interventions (so `show` prints it whole), its results kept in arrays.safetensors. */
    private static RunRecord sweep(int run) {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.putObject("overrides");
        arguments.putArray("interventions");
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        IntStream.range(0, POINTS).forEach(point -> results.add(run + point / 1024.0));
        return StoreFixtures.record("Heads", "logits.diff()", arguments,
                List.of(new SweepAxis("head", IntStream.range(0, POINTS).boxed().toList())), results,
                RunStatus.COMPLETE, POINTS);
    }
}
