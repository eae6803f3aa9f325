package dev.arrakis.engine;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.ModelSource;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.io.WeightDigest;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Precision;
import dev.arrakis.runs.RunEnvironment;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunRecord;
import dev.arrakis.spec.KnownModels;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Problem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs an experiment's runs on its model.
 *
 * <p>Each {@link #run} call first applies and checks the overrides against the shape the experiment was built for,
 * so a bad override fails before anything loads. The model is loaded once, on the first run, and kept until
 * {@link #close()}. Every run call then makes a fresh experiment instance and calls every {@code @Input} on it once
 * (so inputs may be random or stateful without leaking between runs), takes one cached unintervened pass per input
 * whose activations a mean or resample ablation or a patch needs, and sends all sweep points through the model in
 * as few passes as {@link RunnerOptions#maxRowsPerPass()} and {@link RunnerOptions#maxTokensPerPass()} allow: the
 * input is repeated once per point and one hook per affected hook point edits each point's own rows. The run method is then called once per point, on that
 * point's rows, and whatever arrays it sees or makes are freed when it returns; its results are copied into Java
 * values first.
 *
 * <p>Not thread-safe: one run at a time.
 */
public final class ExperimentRunner implements AutoCloseable {
    private final ExperimentDefinition<?> definition;
    private final RunnerOptions options;
    private HookedTransformer model;
    private RunRecord.ModelIdentity identity;
    private boolean ownsModel;
    private boolean closed;

    private ExperimentRunner(ExperimentDefinition<?> definition, RunnerOptions options) {
        this.definition = definition;
        this.options = options;
    }

    /** A runner; nothing is loaded until the first run. */
    public static ExperimentRunner open(ExperimentDefinition<?> definition, RunnerOptions options) {
        return new ExperimentRunner(definition, options);
    }

    public static ExperimentRunner open(ExperimentDefinition<?> definition) {
        return open(definition, RunnerOptions.defaults());
    }

    public ExperimentDefinition<?> definition() {
        return definition;
    }

    /** Runs a run as declared. */
    public RunOutcome run(String runName) {
        return run(runName, Map.of());
    }

    /**
     * Runs a run with {@link Overrides} applied; a logged run's record goes to the options' sink.
     *
     * @throws ExperimentDefinitionException for an unknown run or a bad override, before the model loads
     * @throws ExperimentRunException when the model or the data do not fit, or the run method throws
     */
    public RunOutcome run(String runName, Map<String, String> overrides) {
        requireOpen();
        Instant startedAt = Instant.now();
        ValidatedRun<?> validated = validate(runName, overrides);
        long loadStarted = System.nanoTime();
        boolean loadedNow = model == null;
        HookedTransformer loaded = model();
        long loadMs = loadedNow ? (System.nanoTime() - loadStarted) / 1_000_000 : 0;
        Engine.getInstance().setRandomSeed(options.seed());
        RunOutcome outcome = new RunExecution<>(validated, loaded, options)
                .execute(identity(loaded), RunEnvironment.capture(options.projectDir()), loadMs, startedAt);
        if (validated.definition().logged()) {
            options.sink().ifPresent(sink -> sink.record(outcome.record()));
        }
        return outcome;
    }

    /** Every run as declared, in declaration order. */
    public List<RunOutcome> runAll() {
        List<RunOutcome> outcomes = new ArrayList<>();
        for (RunDefinition<?> run : definition.runs()) {
            outcomes.add(run(run.name()));
        }
        return outcomes;
    }

    /**
     * Checks a run and its overrides without loading anything, as {@link #run} does first.
     *
     * @throws ExperimentDefinitionException with every problem found
     */
    public void check(String runName, Map<String, String> overrides) {
        validate(runName, overrides);
    }

    private ValidatedRun<?> validate(String runName, Map<String, String> overrides) {
        return RunValidation.validate(RunReference.of(definition, runName), overrides);
    }

    public boolean isModelLoaded() {
        return model != null;
    }

    /**
     * The model, loaded now if no run has loaded it yet: {@link RunnerOptions#model()}, else
     * {@link RunnerOptions#checkpoint()}, else the experiment's own: its catalogue name's hub repository, or its
     * config's directory. A relative config path is looked up in the {@link RunnerOptions#withProjectDir project
     * directory} given and each directory above it; without one, under the directory the build found it in
     * ({@link ModelSource#projectDir()}), and when that no longer holds it, from the working directory up. Its shape
     * must be the one the experiment was checked against.
     */
    public HookedTransformer model() {
        requireOpen();
        if (model == null) {
            HookedTransformer loaded;
            boolean owned = options.model().isEmpty();
            if (!owned) {
                loaded = options.model().get();
            } else if (options.checkpoint().isPresent()) {
                loaded = load(options.checkpoint().get());
            } else if (definition.model().configPath() != null) {
                loaded = load(checkpointOfConfig(definition.model()));
            } else {
                loaded = HookedTransformer.load(KnownModels.get(definition.model().knownName()).hubRepo(),
                        options.hub(), Precision.F32, options.weightProcessing());
            }
            try {
                requireShape(loaded);
            } catch (RuntimeException e) {
                if (owned) {
                    loaded.close();
                }
                throw e;
            }
            model = loaded;
            ownsModel = owned;
        }
        return model;
    }

    private HookedTransformer load(Path checkpoint) {
        return HookedTransformer.load(checkpoint, Device.cpu(), Precision.F32, options.weightProcessing());
    }

    /**
     * The directory of the experiment's config, looked up as {@link #model()} says: the build's directory comes
     * first so that a run started anywhere loads the checkpoint the build checked; the working directory remains
     * for classes built where they no longer are (another machine, a moved project).
     */
    private Path checkpointOfConfig(ModelSource source) {
        Path written = Path.of(source.configPath());
        Path searchedFrom = options.projectDir().toAbsolutePath().normalize();
        if (written.isAbsolute()) {
            if (Files.isRegularFile(written)) {
                return written.getParent();
            }
            throw configNotFound(source, searchedFrom);
        }
        if (options.givenProjectDir().isEmpty() && source.projectDir() != null) {
            Path candidate = source.projectDir().resolve(written);
            if (Files.isRegularFile(candidate)) {
                return candidate.getParent();
            }
        }
        for (Path directory = searchedFrom; directory != null; directory = directory.getParent()) {
            Path candidate = directory.resolve(written);
            if (Files.isRegularFile(candidate)) {
                return candidate.getParent();
            }
        }
        throw configNotFound(source, searchedFrom);
    }

    private ExperimentDefinitionException configNotFound(ModelSource source, Path searchedFrom) {
        String text = Problem.of(Message.CONFIG_NOT_FOUND, source.configPath(), searchedFrom).text();
        if (source.projectDir() != null && options.givenProjectDir().isEmpty()) {
            text += "; the build found it under " + source.projectDir() + ", which no longer holds it";
        }
        return new ExperimentDefinitionException(text);
    }

    private void requireShape(HookedTransformer loaded) {
        ModelConfig expected = definition.shape();
        ModelConfig actual = loaded.config();
        boolean same = expected.layers() == actual.layers() && expected.heads() == actual.heads()
                && expected.kvHeads() == actual.kvHeads() && expected.dModel() == actual.dModel()
                && expected.dHead() == actual.dHead() && expected.dMlp() == actual.dMlp()
                && expected.vocabSize() == actual.vocabSize();
        if (!same) {
            throw new ExperimentRunException("experiment " + definition.name() + " was checked against "
                    + definition.model().displayName() + " (" + describe(expected) + ") but checkpoint "
                    + loaded.source() + " has " + describe(actual));
        }
    }

    static String describe(ModelConfig config) {
        return config.layers() + " layers, " + config.heads() + " heads, " + config.kvHeads() + " kv heads, d_model "
                + config.dModel() + ", d_head " + config.dHead() + ", d_mlp " + config.dMlp() + ", vocabulary "
                + config.vocabSize();
    }

    /** Computed once per loaded model: hashing a checkpoint's weights reads every byte of them. */
    private RunRecord.ModelIdentity identity(HookedTransformer loaded) {
        if (identity == null) {
            ModelSource source = definition.model();
            String hubRepo = source.knownName() == null ? null
                    : KnownModels.find(source.knownName()).map(KnownModels.KnownModel::hubRepo).orElse(null);
            List<WeightDigest> weights = loaded.source() != null && Files.isDirectory(loaded.source())
                    ? WeightDigest.ofCheckpoint(loaded.source()) : List.of();
            identity = new RunRecord.ModelIdentity(source.displayName(), hubRepo, source.configPath(),
                    loaded.config(), loaded.source(), weights, loaded.weightProcessing());
        }
        return identity;
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException("this ExperimentRunner is closed");
        }
    }

    /** Closes the model if this runner loaded it. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (model != null && ownsModel) {
            model.close();
        }
        model = null;
        identity = null;
    }
}
