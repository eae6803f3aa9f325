package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.io.Json;
import dev.arrakis.runs.ExperimentVersion;
import dev.arrakis.runs.RunExport;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.RunStoreException;
import dev.arrakis.runs.StoreFixtures;
import dev.arrakis.runs.StoredRun;
import dev.arrakis.runs.SweepAxis;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Store entries written by something other than Arrakis, found by fuzzing the store's readers: each was an exception
 * other than {@link RunStoreException} out of {@code show}, {@code diff} or {@code export}.
 */
class RunStoreFindingsTest {
    @TempDir
    Path store;

    @Test
    void aVersionFileNumberedBeyondAnIntIsNotAVersion() throws IOException {
        RunStore runs = RunStore.open(store);
        StoredRun first = runs.save(StoreFixtures.headSweep("Heads", "1.0", 0, 0.5));
        Path stray = store.resolve("experiments").resolve("Heads").resolve("v99999999999.json");
        Files.writeString(stray, "{\"fingerprint\": \"x\"}");

        List<Integer> versions = runs.versions("Heads").stream().map(ExperimentVersion::version).toList();
        assertEquals(List.of(1), versions, "versions beside " + stray.getFileName());
        StoredRun second = runs.save(StoreFixtures.headSweep("Heads", "2.0", 0, 0.5));
        assertEquals(List.of(1, 2), List.of(first.version(), second.version()), "versions of two sources");
    }

    /** Fuzzer input crash-6e4a55d8...: the reference to the results lost its "shape" (IndexOutOfBoundsException). */
    @Test
    void resultsInTheArraysFileWithoutTheirShapeAreRefusedByExport() throws IOException {
        StoredRun run = rewritten(sweepOf300(), record -> ((ObjectNode) record.get("results")).remove("shape"));
        RunStoreException refusal = assertThrows(RunStoreException.class,
                () -> RunExport.write(List.of(run), RunExport.Format.POINTS, new StringWriter()));
        assertEquals(run.id() + ": the record gives tensor '/results' no shape; arrays.safetensors holds [300]",
                refusal.getMessage());
    }

    @Test
    void resultsClaimingMoreRowsThanTheArraysFileHoldsAreRefused() throws IOException {
        StoredRun run = rewritten(sweepOf300(),
                record -> ((ArrayNode) record.get("results").get("shape")).set(0, 1_000_000_000));
        RunStoreException refusal = assertThrows(RunStoreException.class, run::coordinates);
        assertEquals(run.id() + ": the record gives tensor '/results' shape [1000000000], but arrays.safetensors"
                + " holds [300]", refusal.getMessage());
    }

    @Test
    void anAxisWithoutValuesIsRefusedRatherThanDividedBy() throws IOException {
        StoredRun run = rewritten(RunStore.open(store).save(StoreFixtures.headSweep("Heads", "1.0", 0, 0.5, 0.25)),
                record -> ((ObjectNode) record.get("axes").get(0)).putArray("values"));
        RunStoreException refusal = assertThrows(RunStoreException.class, run::coordinates);
        assertEquals("run " + run.id() + ": axis 'head' has no values", refusal.getMessage());
    }

    @Test
    void anAxisWithTooFewLabelsIsRefused() throws IOException {
        StoredRun run = rewritten(RunStore.open(store).save(StoreFixtures.headSweep("Heads", "1.0", 0, 0.5, 0.25)),
                record -> ((ObjectNode) record.get("axes").get(0)).putArray("labels").add("0.5"));
        RunStoreException refusal = assertThrows(RunStoreException.class, run::labelledCoordinates);
        assertEquals("run " + run.id() + ": axis head has 2 values but 1 labels", refusal.getMessage());
    }

    @Test
    void moreResultsThanTheAxesHaveCellsAreRefused() throws IOException {
        StoredRun run = rewritten(RunStore.open(store).save(StoreFixtures.headSweep("Heads", "1.0", 0, 0.5, 0.25)),
                record -> ((ArrayNode) record.get("results")).add(0.125));
        RunStoreException refusal = assertThrows(RunStoreException.class,
                () -> RunStore.open(store).compare(run, run));
        assertTrue(refusal.getMessage().contains("its results hold 3 points, but its axes [head] have 2 cells"),
                refusal.getMessage());
    }

    private StoredRun sweepOf300() {
        ArrayNode values = JsonNodeFactory.instance.arrayNode();
        IntStream.range(0, 300).forEach(i -> values.add(i * 0.5));
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.putObject("overrides");
        arguments.putArray("interventions");
        return RunStore.open(store).save(StoreFixtures.record("Heads", "1.0", arguments,
                List.of(new SweepAxis("position", IntStream.range(0, 300).boxed().toList())), values,
                RunStatus.COMPLETE, 300));
    }

    /** The run read back after {@code change} was made to its {@code run.json} on disk. */
    private StoredRun rewritten(StoredRun run, Consumer<ObjectNode> change) throws IOException {
        Path file = run.directory().resolve("run.json");
        ObjectNode record = (ObjectNode) Json.MAPPER.readTree(file.toFile());
        change.accept(record);
        Files.write(file, Json.MAPPER.writeValueAsBytes(record));
        return RunStore.open(store).get(run.id());
    }
}
