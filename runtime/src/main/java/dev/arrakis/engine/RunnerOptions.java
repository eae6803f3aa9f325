package dev.arrakis.engine;

import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.WeightProcessing;
import dev.arrakis.runs.RunSink;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How an {@link ExperimentRunner} finds its model, how it runs and what it does with finished runs. Immutable; each
 * {@code with...} returns a changed copy.
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

    private Path checkpoint;
    private HookedTransformer model;
    private Path projectDir;
    private HubSettings hub;
    private int maxRowsPerPass = DEFAULT_MAX_ROWS_PER_PASS;
    private int maxTokensPerPass = DEFAULT_MAX_TOKENS_PER_PASS;
    private RunSink sink;
    private int seed;
    private StopSignal stopSignal;
    private RunListener listener;
    private boolean profileComponents;
    private boolean baseRunReuse = true;
    private WeightProcessing weightProcessing = WeightProcessing.none();

    private RunnerOptions() {}

    private RunnerOptions copy() {
        RunnerOptions copy = new RunnerOptions();
        copy.checkpoint = checkpoint;
        copy.model = model;
        copy.projectDir = projectDir;
        copy.hub = hub;
        copy.maxRowsPerPass = maxRowsPerPass;
        copy.maxTokensPerPass = maxTokensPerPass;
        copy.sink = sink;
        copy.seed = seed;
        copy.stopSignal = stopSignal;
        copy.listener = listener;
        copy.profileComponents = profileComponents;
        copy.baseRunReuse = baseRunReuse;
        copy.weightProcessing = weightProcessing;
        return copy;
    }

    /**
     * The experiment's own model (its catalogue name through the environment's hub settings, or its config path
     * under the directory the build found it in, else from the working directory up), at most
     * {@value #DEFAULT_MAX_ROWS_PER_PASS} rows and {@value #DEFAULT_MAX_TOKENS_PER_PASS} tokens per pass, seed 0, no
     * run sink, no stop signal, no listener, no per-component profile, no weight processing, sweep points resumed
     * from the base run where that is exact.
     */
    public static RunnerOptions defaults() {
        return new RunnerOptions();
    }

    /** Loads this checkpoint directory instead of the experiment's model (it must have the same shape). */
    public RunnerOptions withCheckpoint(Path directory) {
        RunnerOptions copy = copy();
        copy.checkpoint = Objects.requireNonNull(directory, "directory");
        return copy;
    }

    /**
     * Runs on a model that is already loaded (it must have the experiment's shape); the runner does not close it.
     * Takes precedence over {@link #withCheckpoint}.
     */
    public RunnerOptions withModel(HookedTransformer loaded) {
        RunnerOptions copy = copy();
        copy.model = Objects.requireNonNull(loaded, "loaded");
        return copy;
    }

    /**
     * Where an experiment's relative {@code config} path is looked up (then in each directory above it) instead of
     * the directory the build found it in, and whose git state a run records.
     */
    public RunnerOptions withProjectDir(Path directory) {
        RunnerOptions copy = copy();
        copy.projectDir = Objects.requireNonNull(directory, "directory");
        return copy;
    }

    /** The hub cache, endpoint and token used to load a catalogue model. */
    public RunnerOptions withHub(HubSettings settings) {
        RunnerOptions copy = copy();
        copy.hub = Objects.requireNonNull(settings, "settings");
        return copy;
    }

    /** The most rows one batched pass may hold; a point's rows are never split, so a pass has at least one point. */
    public RunnerOptions withMaxRowsPerPass(int rows) {
        if (rows <= 0) {
            throw new IllegalArgumentException("maxRowsPerPass must be positive, got " + rows);
        }
        RunnerOptions copy = copy();
        copy.maxRowsPerPass = rows;
        return copy;
    }

    /** At most this many tokens (rows x sequence length) per forward pass; at least one sweep point always fits. */
    public RunnerOptions withMaxTokensPerPass(int tokens) {
        if (tokens <= 0) {
            throw new IllegalArgumentException("maxTokensPerPass must be positive, got " + tokens);
        }
        RunnerOptions copy = copy();
        copy.maxTokensPerPass = tokens;
        return copy;
    }

    /** Receives the record of every run whose definition is logged ({@code @LogExperiment}), e.g. a run store. */
    public RunnerOptions withSink(RunSink runSink) {
        RunnerOptions copy = copy();
        copy.sink = Objects.requireNonNull(runSink, "runSink");
        return copy;
    }

    /** The seed the engine's random generator is set to before each run, and recorded with it. */
    public RunnerOptions withSeed(int runSeed) {
        RunnerOptions copy = copy();
        copy.seed = runSeed;
        return copy;
    }

    /** Lets another thread stop a running sweep after the pass in flight, keeping the finished points. */
    public RunnerOptions withStopSignal(StopSignal signal) {
        RunnerOptions copy = copy();
        copy.stopSignal = Objects.requireNonNull(signal, "signal");
        return copy;
    }

    /** Hears each run's progress, pass by pass. */
    public RunnerOptions withListener(RunListener runListener) {
        RunnerOptions copy = copy();
        copy.listener = Objects.requireNonNull(runListener, "runListener");
        return copy;
    }

    /**
     * Times every component of every forward pass (embedding, each block's attention and MLP, unembedding) and
     * records the profile with the run; costs a few timestamp hooks per pass.
     */
    public RunnerOptions withComponentProfile(boolean enabled) {
        RunnerOptions copy = copy();
        copy.profileComponents = enabled;
        return copy;
    }

    /**
     * Whether a sweep point starts from the base (unintervened) run at the first layer and position it changes
     * instead of running the whole model (on by default; the results are the same within float rounding, see
     * docs/performance.md). Off, every point is a full forward pass: for comparison and measurement.
     */
    public RunnerOptions withBaseRunReuse(boolean enabled) {
        RunnerOptions copy = copy();
        copy.baseRunReuse = enabled;
        return copy;
    }

    /**
     * The weight processing the runner loads its model with (the steps the model admits; the run record says which
     * were applied). A model handed in with {@link #withModel} keeps the processing it was loaded with.
     */
    public RunnerOptions withWeightProcessing(WeightProcessing processing) {
        RunnerOptions copy = copy();
        copy.weightProcessing = Objects.requireNonNull(processing, "processing");
        return copy;
    }

    public Optional<Path> checkpoint() {
        return Optional.ofNullable(checkpoint);
    }

    public Optional<HookedTransformer> model() {
        return Optional.ofNullable(model);
    }

    /**
     * The directory config paths are looked up from when the build's directory does not hold them (or one was
     * given), and whose git state a run records: the one given, or the working directory.
     */
    public Path projectDir() {
        return projectDir != null ? projectDir : Path.of("").toAbsolutePath();
    }

    /** The project directory given with {@link #withProjectDir}, which overrides the one the build recorded. */
    Optional<Path> givenProjectDir() {
        return Optional.ofNullable(projectDir);
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

    public int seed() {
        return seed;
    }

    public Optional<StopSignal> stopSignal() {
        return Optional.ofNullable(stopSignal);
    }

    /** The listener given, or one that ignores everything. */
    public RunListener listener() {
        return listener != null ? listener : new RunListener() {};
    }

    public boolean componentProfile() {
        return profileComponents;
    }

    public boolean baseRunReuse() {
        return baseRunReuse;
    }

    public WeightProcessing weightProcessing() {
        return weightProcessing;
    }
}
