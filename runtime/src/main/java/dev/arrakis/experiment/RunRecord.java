package dev.arrakis.experiment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.arrakis.spec.ModelConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one run was and what it produced, as the run store keeps it: enough to tell exactly what ran (the source
 * text, its fingerprint, the model, the arguments after overrides) and to redraw the result without rerunning it.
 * {@code Json.MAPPER} writes it as it is (the start time as ISO-8601 text, paths as plain text).
 *
 * @param experiment the experiment's name
 * @param run the run's name
 * @param fingerprint the definition's version ({@link ExperimentDefinition#fingerprint()})
 * @param source the experiment class's source text
 * @param model which model ran
 * @param arguments {@code {"inputs": {name: snapshot}, "overrides": {key: value}, "interventions": [...]}}: each
 *     input as JSON (a token batch as its rows; a value JSON cannot hold as its type and text), the overrides as
 *     given, and each intervention as it ran
 * @param axes the sweep's axes, empty for a single point
 * @param results one value per sweep point, row-major over the axes
 * @param plot the resolved plot, or null without {@code @Plot}
 * @param resultType the run method's return type as written
 * @param timings where the time went
 * @param startedAt when the run started
 */
public record RunRecord(
        String experiment,
        String run,
        String fingerprint,
        String source,
        ModelIdentity model,
        JsonNode arguments,
        List<SweepAxis> axes,
        JsonNode results,
        PlotRequest plot,
        String resultType,
        PhaseTimings timings,
        @JsonSerialize(using = ToStringSerializer.class) Instant startedAt) {

    public RunRecord {
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(model, "model");
        arguments = arguments.deepCopy();
        axes = List.copyOf(axes);
        results = results.deepCopy();
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(startedAt, "startedAt");
    }

    /** A copy: JSON trees are mutable, the record is not. */
    @Override
    public JsonNode arguments() {
        return arguments.deepCopy();
    }

    /** A copy: JSON trees are mutable, the record is not. */
    @Override
    public JsonNode results() {
        return results.deepCopy();
    }

    /**
     * The model a run used.
     *
     * @param displayName the catalogue name or config path the experiment names
     * @param hubRepo the hub repository of a catalogue model, or null
     * @param configPath the experiment's config path, or null
     * @param config the loaded model's shape
     * @param checkpoint the checkpoint directory actually loaded
     */
    public record ModelIdentity(
            String displayName,
            String hubRepo,
            String configPath,
            ModelConfig config,
            @JsonSerialize(using = ToStringSerializer.class) Path checkpoint) {}

    /**
     * Milliseconds per phase of a run.
     *
     * @param loadMs loading the model (zero when an earlier run of the runner loaded it)
     * @param inputsMs calling the {@code @Input} methods
     * @param cleanPassMs the unintervened passes that mean, resample and patch read from
     * @param batchedPassesMs the forward passes of the sweep points
     * @param invokeMs calling the run method and copying its results out
     * @param forwardPasses how many forward passes the run made, clean ones included
     */
    public record PhaseTimings(
            long loadMs, long inputsMs, long cleanPassMs, long batchedPassesMs, long invokeMs, int forwardPasses) {}
}
