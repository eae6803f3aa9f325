package dev.arrakis.runs;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.io.WeightDigest;
import dev.arrakis.model.WeightProcessing;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.profile.ComponentProfile;
import dev.arrakis.profile.MemoryPeak;
import dev.arrakis.spec.ModelConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What one run was and what it produced, as the run store keeps it: enough to tell exactly what ran (the source
 * text, its fingerprint, the model and its weights, the arguments after overrides, the seed, the software and the
 * working tree) and to redraw the result without rerunning it. {@code Json.MAPPER} writes it as it is (instants as
 * ISO-8601 text, paths as plain text).
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
 * @param results one value per sweep point, row-major over the axes; null at points an interrupted run did not reach
 * @param plot the resolved plot, or null without {@code @Plot}
 * @param resultType the run method's return type as written
 * @param status whether every point ran
 * @param completedPoints how many points have results (all of them unless interrupted)
 * @param seed the seed the engine's random generator was set to before the run
 * @param environment the software and working tree the run ran in
 * @param timings where the time went
 * @param memory the run's peak memory, resident (native tensors included) and heap
 * @param profile time and resident growth per component of the forward passes, or null unless asked for
 * @param startedAt when the run started
 * @param finishedAt when its last pass ended
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
        RunStatus status,
        int completedPoints,
        int seed,
        RunEnvironment environment,
        PhaseTimings timings,
        MemoryPeak memory,
        @JsonInclude(JsonInclude.Include.NON_NULL) ComponentProfile profile,
        @JsonSerialize(using = ToStringSerializer.class) Instant startedAt,
        @JsonSerialize(using = ToStringSerializer.class) Instant finishedAt) {

    public RunRecord {
        Objects.requireNonNull(experiment, "experiment");
        Objects.requireNonNull(run, "run");
        Objects.requireNonNull(model, "model");
        arguments = arguments.deepCopy();
        axes = List.copyOf(axes);
        results = results.deepCopy();
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(timings, "timings");
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(startedAt, "startedAt");
        Objects.requireNonNull(finishedAt, "finishedAt");
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
     * @param weights each weight file's size and SHA-256; empty for a model handed in already loaded from elsewhere
     * @param weightProcessing the TransformerLens weight processing steps applied at load (all false: the weights
     *     as the checkpoint has them); the files' digests above are of the unprocessed weights
     */
    public record ModelIdentity(
            String displayName,
            String hubRepo,
            String configPath,
            ModelConfig config,
            @JsonSerialize(using = ToStringSerializer.class) Path checkpoint,
            List<WeightDigest> weights,
            WeightProcessing weightProcessing) {

        public ModelIdentity {
            weights = List.copyOf(weights);
            Objects.requireNonNull(weightProcessing, "weightProcessing");
        }
    }

    /**
     * Milliseconds per phase of a run.
     *
     * @param loadMs loading the model (zero when an earlier run of the runner loaded it)
     * @param inputsMs calling the {@code @Input} methods
     * @param cleanPassMs the unintervened passes that mean, resample and patch read from
     * @param batchedPassesMs the forward passes of the sweep points
     * @param invokeMs calling the run method and copying its results out
     * @param forwardPasses how many forward passes the run made, clean ones included
     * @param layerTokens the work those passes did, counted as blocks run x rows x positions computed, summed over
     *     every pass (clean ones included); a sweep that resumes its points from the base run does less of it than
     *     one full pass per point, and records made before the count existed read 0
     */
    public record PhaseTimings(long loadMs, long inputsMs, long cleanPassMs, long batchedPassesMs, long invokeMs,
            int forwardPasses, long layerTokens) {

        /** Timings without the work count, as records made before it existed hold them. */
        public PhaseTimings(long loadMs, long inputsMs, long cleanPassMs, long batchedPassesMs, long invokeMs,
                int forwardPasses) {
            this(loadMs, inputsMs, cleanPassMs, batchedPassesMs, invokeMs, forwardPasses, 0);
        }
    }
}
