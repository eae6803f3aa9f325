package dev.arrakis.experiment;

import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.model.HookedTransformer;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link ExperimentRunner} finds its model and what it does with finished runs. Immutable; each
 * {@code with...} returns a changed copy of {@link #defaults()}.
 */
public final class RunnerOptions {
    /** Rows per forward pass, a second bound beside {@link #DEFAULT_MAX_TOKENS_PER_PASS} for very short inputs. */
    public static final int DEFAULT_MAX_ROWS_PER_PASS = 512;

    /**
     * Tokens (rows x sequence length) per forward pass. A pass keeps its intermediates until it ends (about 2.5 MiB
     * per token on GPT-2-small), so memory grows with the tokens in it, while on a CPU the time per token does not
     * fall: a GPT-2-small head sweep ran fastest at 1,024 tokens per pass (3.8 GiB peak) and slowest at 4,096
     * (11.3 GiB); see docs/performance.md.
     */
    public static final int DEFAULT_MAX_TOKENS_PER_PASS = 1024;

    private final Path checkpoint;
    private final HookedTransformer model;
    private final Path projectDir;
    private final HubSettings hub;
    private final int maxRowsPerPass;
    private final int maxTokensPerPass;
    private final RunSink sink;

    private RunnerOptions(Path checkpoint, HookedTransformer model, Path projectDir, HubSettings hub,
            int maxRowsPerPass, int maxTokensPerPass, RunSink sink) {
        this.checkpoint = checkpoint;
        this.model = model;
        this.projectDir = projectDir;
        this.hub = hub;
        this.maxRowsPerPass = maxRowsPerPass;
        this.maxTokensPerPass = maxTokensPerPass;
        this.sink = sink;
    }

    /**
     * The experiment's own model (its catalogue name through the environment's hub settings, or its config path
     * from the working directory up), at most {@value #DEFAULT_MAX_ROWS_PER_PASS} rows per pass, no run sink.
     */
    public static RunnerOptions defaults() {
        return new RunnerOptions(null, null, null, null, DEFAULT_MAX_ROWS_PER_PASS, DEFAULT_MAX_TOKENS_PER_PASS,
                null);
    }

    /** Loads this checkpoint directory instead of the experiment's model (it must have the same shape). */
    public RunnerOptions withCheckpoint(Path directory) {
        return new RunnerOptions(Objects.requireNonNull(directory, "directory"), model, projectDir, hub,
                maxRowsPerPass, maxTokensPerPass, sink);
    }

    /**
     * Runs on a model that is already loaded (it must have the experiment's shape); the runner does not close it.
     * Takes precedence over {@link #withCheckpoint}.
     */
    public RunnerOptions withModel(HookedTransformer loaded) {
        return new RunnerOptions(checkpoint, Objects.requireNonNull(loaded, "loaded"), projectDir, hub,
                maxRowsPerPass, maxTokensPerPass, sink);
    }

    /** Where an experiment's {@code config} path is looked up (then in each directory above it). */
    public RunnerOptions withProjectDir(Path directory) {
        return new RunnerOptions(checkpoint, model, Objects.requireNonNull(directory, "directory"), hub,
                maxRowsPerPass, maxTokensPerPass, sink);
    }

    /** The hub cache, endpoint and token used to load a catalogue model. */
    public RunnerOptions withHub(HubSettings settings) {
        return new RunnerOptions(checkpoint, model, projectDir, Objects.requireNonNull(settings, "settings"),
                maxRowsPerPass, maxTokensPerPass, sink);
    }

    /** The most rows one batched pass may hold; a point's rows are never split, so a pass has at least one point. */
    public RunnerOptions withMaxRowsPerPass(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("maxRowsPerPass must be positive, got " + rows);
        }
        return new RunnerOptions(checkpoint, model, projectDir, hub, rows, maxTokensPerPass, sink);
    }

    /** At most this many tokens (rows x sequence length) per forward pass; at least one sweep point always fits. */
    public RunnerOptions withMaxTokensPerPass(int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("maxTokensPerPass must be positive, got " + tokens);
        }
        return new RunnerOptions(checkpoint, model, projectDir, hub, maxRowsPerPass, tokens, sink);
    }

    /** Receives the record of every run whose definition is logged ({@code @LogExperiment}). */
    public RunnerOptions withSink(RunSink runSink) {
        return new RunnerOptions(checkpoint, model, projectDir, hub, maxRowsPerPass, maxTokensPerPass,
                Objects.requireNonNull(runSink, "runSink"));
    }

    public Optional<Path> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    public Optional<HookedTransformer> model() {
        return Optional.ofNullable(model);
    }

    /** The directory config paths are resolved against: the one given, or the working directory. */
    public Path projectDir() {
        return projectDir != null ? projectDir : Path.of("").toAbsolutePath();
    }

    /** The hub settings given, or those of the environment. */
    public HubSettings hub() {
        return hub != null ? hub : HubSettings.fromEnvironment();
    }

    public int maxRowsPerPass() {
        return maxRowsPerPass;
    }

    public int maxTokensPerPass() {
        return maxTokensPerPass;
    }

    public Optional<RunSink> sink() {
        return Optional.ofNullable(sink);
    }
}
