package dev.arrakis.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.arrakis.runs.RunExport;
import dev.arrakis.runs.RunQuery;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoredRun;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * Any bytes as a run store's records, read the way {@code runs}, {@code show}, {@code diff} and {@code export} read
 * them: a run's {@code run.json} (beside an {@code arrays.safetensors} holding the arrays the seeds refer to), a
 * run's {@code arrays.safetensors} (beside a record that refers to it), and an experiment's version file. A store
 * is shared and outlives the code that wrote it, so a damaged entry must be refused with a {@code RunStoreException}.
 */
class RunStoreFuzzTest {
    /** The run the seeds describe; a record must name its own directory. */
    static final String RUN_ID = "20261127-120000-abcdef";
    static final String EXPERIMENT = "Heads";

    @TempDir
    Path store;

    private Path run;

    @BeforeEach
    void createRunDirectory() throws IOException {
        run = Files.createDirectories(store.resolve("runs").resolve(RUN_ID));
    }

    @FuzzTest(maxDuration = "30s")
    void anyRunRecordIsReadOrRefused(byte[] bytes) throws IOException {
        Files.write(run.resolve("run.json"), bytes);
        copyResource("arrays.safetensors", run.resolve("arrays.safetensors"));
        readEverything();
    }

    @FuzzTest(maxDuration = "30s")
    void anyArraysFileIsReadOrRefused(byte[] bytes) throws IOException {
        copyResource("run-with-arrays.json", run.resolve("run.json"));
        Files.write(run.resolve("arrays.safetensors"), bytes);
        readEverything();
    }

    /**
     * The first line names the version file (as found in {@code experiments/Heads/}), the rest is its content; a
     * store anyone can write to may hold any name that looks like a version.
     */
    @FuzzTest(maxDuration = "30s")
    void anyVersionFileIsReadOrRefused(byte[] bytes) throws IOException {
        String text = new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        int newline = text.indexOf('\n');
        String name = newline < 0 ? text : text.substring(0, newline);
        Path versions = Files.createDirectories(store.resolve("experiments").resolve(EXPERIMENT));
        try (var old = Files.list(versions)) {
            for (Path file : old.toList()) {
                Files.delete(file);
            }
        }
        Path file;
        try {
            file = versions.resolve(name);
            if (!versions.equals(file.getParent()) || name.isEmpty()) {
                return;
            }
            Files.writeString(file, newline < 0 ? "" : text.substring(newline + 1));
        } catch (java.nio.file.InvalidPathException | IOException notAFileName) {
            return;
        }
        RunStore opened = RunStore.open(store);
        UntrustedInput.refusalOf(() -> opened.versions(EXPERIMENT));
    }

    private void readEverything() {
        RunStore opened = RunStore.open(store);
        UntrustedInput.refusalOf(() -> opened.list(RunQuery.all()));
        UntrustedInput.refusalOf(() -> {
            StoredRun stored = opened.get(RUN_ID);
            stored.qualifiedName();
            stored.finishedAt();
            stored.source();
            stored.axes();
            stored.points();
            stored.completedPoints();
            stored.coordinates();
            stored.labelledCoordinates();
            stored.pointAxes();
            stored.pictures();
            stored.interventions();
            stored.documentWithArrays();
            opened.compare(stored, stored);
            opened.versions(stored.experiment());
            for (RunExport.Format format : RunExport.Format.values()) {
                RunExport.write(List.of(stored), format, new StringWriter());
            }
        });
    }

    private static void copyResource(String name, Path target) throws IOException {
        try (var in = RunStoreFuzzTest.class.getResourceAsStream("RunStoreFuzzTestFiles/" + name)) {
            Files.copy(java.util.Objects.requireNonNull(in, name), target,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }
}
