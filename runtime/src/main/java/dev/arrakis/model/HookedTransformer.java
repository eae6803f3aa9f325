package dev.arrakis.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.HookDispatcher;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.io.WeightSource;
import dev.arrakis.io.hub.HubModelResolver;
import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A transformer loaded from an HF checkpoint whose every internal activation can be read and replaced at
 * TransformerLens-named hook points, computing the same numbers as HF transformers.
 *
 * <p>Each forward pass runs in its own native-memory scope that is closed when the pass returns; what the caller
 * keeps (logits, cached activations) lives in the returned {@link ForwardResult} until it is closed.
 *
 * <p><b>Threads.</b> One model may serve several threads at once: every call ({@link #run}, {@link #forward},
 * {@link #runWithCache}, generation, gradient passes, the tokenizer helpers) has its own hooks, scope, activation
 * cache and key/value cache, and gives, bit for bit, the numbers it gives alone. The weights are only read; a hook
 * that throws fails its own call only. What must not be shared is per call: a {@link KeyValueCache} or a
 * {@link ForwardResult} belongs to one thread at a time. Gradient passes take turns across the process (DJL's engine
 * allows one gradient collector at a time), while inference passes on other threads go on. {@link #close()} waits
 * for the calls running on other threads, then frees the weights; a call made after that fails with
 * {@link ModelClosedException}, and so does close() from inside one of the model's own calls, which would wait for
 * itself. Results and key/value caches still open are freed with the model: read them first. A generation is one
 * call per token, so a close() between two steps fails the next one. Arrays taken out with {@link #weights()} and the {@link #tokenizer()} are not guarded: use them only while
 * the model is open. Training ({@code dev.arrakis.train.Trainer}) changes the weights in place and is not meant to
 * run beside other calls on the same model.
 */
public final class HookedTransformer implements AutoCloseable {
    private final NDManager manager;
    private final ModelDescription description;
    private final ModelConfig config;
    private final Precision precision;
    private final HookPoints hookPoints;
    private final TransformerWeights weights;
    private final TransformerForward forward;
    private final Tokenizer tokenizer;
    private final Path source;
    private final WeightProcessing processing;
    /** The model a {@link #view} borrows its weights and tokenizer from, or null for a model that owns them. */
    private final HookedTransformer base;
    /** Held shared by every call that touches native memory and exclusively by {@link #close()}: see the class doc. */
    private final ReentrantReadWriteLock inUse = new ReentrantReadWriteLock();
    /** Written under the write lock, read under the read lock. */
    private boolean closed;

    private HookedTransformer(NDManager manager, ModelDescription description, Precision precision,
            TransformerWeights weights, Tokenizer tokenizer, Path source, WeightProcessing processing) {
        this(manager, description, precision, weights, tokenizer, source, processing, null);
    }

    private HookedTransformer(NDManager manager, ModelDescription description, Precision precision,
            TransformerWeights weights, Tokenizer tokenizer, Path source, WeightProcessing processing,
            HookedTransformer base) {
        this.manager = manager;
        this.description = description;
        this.config = description.config();
        this.precision = precision;
        this.hookPoints = new HookPoints(config);
        this.weights = weights;
        this.forward = new TransformerForward(description, weights, hookPoints, precision);
        this.tokenizer = tokenizer;
        this.source = source;
        this.processing = processing;
        this.base = base;
    }

    /**
     * A model computing with other canonical weights under another description (e.g. fewer layers), sharing this
     * model's tokenizer, precision, source and weight processing: what model surgery
     * ({@code dev.arrakis.model.surgery.ModelSurgery}) builds. The arrays in {@code weights} are used as they are,
     * never copied: those taken from this model stay this model's, and new ones belong to {@code owned}.
     *
     * @param owned a manager made by {@link #newViewManager()}: the view allocates its passes in it and closing the
     *     view closes it, never this model's weights nor its tokenizer; closing this model closes the view's too
     */
    public HookedTransformer view(ModelDescription description, java.util.Map<String, NDArray> weights,
            NDManager owned) {
        return whileOpen(() -> {
            TransformerWeights viewWeights =
                    new TransformerWeights(description.config(), weights, owned, this.weights);
            return new HookedTransformer(owned, description, precision, viewWeights, tokenizer, source, processing,
                    this);
        });
    }

    /** A manager for a {@link #view}'s own arrays, inside this model's so that it never outlives the weights. */
    public NDManager newViewManager() {
        return whileOpen(manager::newSubManager);
    }

    /**
     * Loads a checkpoint directory, or resolves a model name (e.g. {@code gpt2}) through the HF cache the environment
     * names ({@code HF_HUB_CACHE}, {@code HF_HOME}, ...), downloading it there when absent and the hub is reachable.
     */
    public static HookedTransformer load(String nameOrDirectory) {
        return load(nameOrDirectory, HubSettings.fromEnvironment());
    }

    /** As {@link #load(String)}, computing in the given precision. */
    public static HookedTransformer load(String nameOrDirectory, Precision precision) {
        return load(nameOrDirectory, HubSettings.fromEnvironment(), precision, WeightProcessing.none());
    }

    /** As {@link #load(String)}, with the cache, endpoint and token given explicitly. */
    public static HookedTransformer load(String nameOrDirectory, HubSettings hub) {
        return load(nameOrDirectory, hub, Precision.F32, WeightProcessing.none());
    }

    /** Loads an HF checkpoint directory ({@code config.json} plus safetensors weights) onto the CPU. */
    public static HookedTransformer load(Path checkpointDirectory) {
        return load(checkpointDirectory, Device.cpu());
    }

    public static HookedTransformer load(Path checkpointDirectory, Device device) {
        return load(checkpointDirectory, device, Precision.F32);
    }

    /**
     * Loads an HF checkpoint directory computing in the given precision; weights stored in any precision are decoded
     * to f32 first.
     */
    public static HookedTransformer load(Path checkpointDirectory, Device device, Precision precision) {
        return load(checkpointDirectory, device, precision, WeightProcessing.none());
    }

    /**
     * As {@link #load(String)}, with TransformerLens's weight processing ({@link WeightProcessing}): log-probs stay
     * as HF computes them, raw logits and the weights themselves change.
     */
    public static HookedTransformer load(String nameOrDirectory, WeightProcessing processing) {
        return load(nameOrDirectory, HubSettings.fromEnvironment(), Precision.F32, processing);
    }

    /**
     * As {@link #load(String)} with everything explicit: the hub settings a name resolves through, the precision, and
     * the weight processing steps to apply (those the model admits).
     */
    public static HookedTransformer load(String nameOrDirectory, HubSettings hub, Precision precision,
            WeightProcessing processing) {
        return load(new HubModelResolver(hub).resolve(nameOrDirectory), Device.cpu(), precision, processing);
    }

    /** Loads a checkpoint directory and applies the weight processing steps this model admits. */
    public static HookedTransformer load(Path checkpointDirectory, Device device, Precision precision,
            WeightProcessing processing) {
        ModelDescription description = ConfigShapes.describe(CheckpointFiles.readConfig(checkpointDirectory));
        try (WeightSource weightSource = CheckpointFiles.open(checkpointDirectory)) {
            Path tokenizerFile = checkpointDirectory.resolve("tokenizer.json");
            return create(description, weightSource, device, precision, processing, checkpointDirectory,
                    () -> Files.isRegularFile(tokenizerFile) ? Tokenizer.load(tokenizerFile) : null);
        }
    }

    /**
     * A model whose weights come from any source in the family's checkpoint layout rather than from a directory, e.g.
     * freshly initialised in memory for training; it has no tokenizer and no {@link #source()}. The source is read
     * during the call and may be closed afterwards.
     */
    public static HookedTransformer create(ModelDescription description, WeightSource weightSource) {
        return create(description, weightSource, Device.cpu(), Precision.F32, WeightProcessing.none(), null,
                () -> null);
    }

    private static HookedTransformer create(ModelDescription description, WeightSource weightSource, Device device,
            Precision precision, WeightProcessing processing, Path checkpointDirectory,
            Supplier<Tokenizer> tokenizerLoader) {
        ModelFamily family = ModelFamilies.forConfig(description.config());
        NDManager manager = NDManager.newBaseManager(device, "PyTorch");
        try {
            WeightProcessing applied = processing.effectiveFor(description);
            TransformerWeights weights =
                    WeightLoader.load(weightSource, family, description, manager, precision, applied);
            return new HookedTransformer(manager, description, precision, weights, tokenizerLoader.get(),
                    checkpointDirectory, applied);
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        } catch (Exception e) {
            manager.close();
            throw new ModelLoadException("cannot load " + (checkpointDirectory == null ? "the model's weights"
                    : checkpointDirectory) + ": " + e.getMessage(), e);
        }
    }

    public ModelConfig config() {
        return config;
    }

    /** The shape plus the numbers the forward pass uses (scales, rotary frequencies, windows, soft-caps). */
    public ModelDescription description() {
        return description;
    }

    /** The precision weights and activations are computed in. */
    public Precision precision() {
        return precision;
    }

    public HookPoints hookPoints() {
        return hookPoints;
    }

    /**
     * The weight processing this model was loaded with: the steps asked for that are valid for it (see
     * {@link WeightProcessing#effectiveFor}); {@link WeightProcessing#none()} unless asked.
     */
    public WeightProcessing weightProcessing() {
        return processing;
    }

    /** The canonical weights (TransformerLens names), for tools that read them directly. */
    public TransformerWeights weights() {
        return weights;
    }

    /** The checkpoint's tokenizer, when it ships a {@code tokenizer.json}. */
    public Optional<Tokenizer> tokenizer() {
        return Optional.ofNullable(tokenizer);
    }

    /** The checkpoint's tokenizer, or a {@link TokenizationException} saying the checkpoint ships none. */
    public Tokenizer requireTokenizer() {
        if (tokenizer == null) {
            throw new TokenizationException("the model loaded from " + source
                    + " has no tokenizer.json; give token ids instead of text");
        }
        return tokenizer;
    }

    /** The text as a one-row batch, BOS as the checkpoint's tokenizer adds it (see {@link Tokenizer}). */
    public TokenBatch toTokens(String text) {
        return whileOpen(() -> TokenBatch.of(requireTokenizer().encode(text)));
    }

    /** Each token of the text as a string, TransformerLens's {@code to_str_tokens}. */
    public List<String> toStrTokens(String text) {
        return whileOpen(() -> requireTokenizer().toStrTokens(text));
    }

    /** The id of a text that is one token; see {@link Tokenizer#toSingleToken}. */
    public long toSingleToken(String text) {
        return whileOpen(() -> requireTokenizer().toSingleToken(text));
    }

    /** The directory the model was loaded from, or null for a model {@linkplain #create created} in memory. */
    public Path source() {
        return source;
    }

    /** A plain forward pass: logits {@code [batch, pos, d_vocab]}. */
    public ForwardResult forward(TokenBatch batch) {
        return run(batch, RunOptions.none());
    }

    /** A forward pass that caches the named activations. */
    public ForwardResult runWithCache(TokenBatch batch, String... hookNames) {
        return run(batch, RunOptions.none().withCache(hookNames));
    }

    /**
     * A forward pass with hooks, caching and early stopping as the options say. Hooks exist only for this call: they
     * are gone afterwards whether it returns or throws.
     */
    public ForwardResult run(TokenBatch batch, RunOptions options) {
        return run(batch, options, null);
    }

    /**
     * An empty key/value cache for {@link #run(TokenBatch, RunOptions, KeyValueCache)} on batches of this many rows.
     */
    public KeyValueCache newKeyValueCache(int batchSize) {
        if (batchSize < 1) {
            throw new ArrakisException("a key/value cache needs at least one row, not " + batchSize);
        }
        return whileOpen(() -> new KeyValueCache(manager.newSubManager(), batchSize, config.layers()));
    }

    /**
     * A forward pass over new tokens that continue the sequences {@code past} holds (null: a pass of its own), as
     * TransformerLens runs with {@code past_kv_cache}: every hook sees only the new positions, except that attention
     * scores and patterns have one key column per position so far and {@code hook_rot_k} every key so far (keys are
     * cached before rotation); positions continue each row's count of attended tokens, and the new keys and values,
     * as {@code hook_k} and {@code hook_v} leave them, are appended to {@code past}. Only the first pass of a cache may
     * carry padding.
     */
    public ForwardResult run(TokenBatch batch, RunOptions options, KeyValueCache past) {
        validate(batch, past == null ? 0 : past.length());
        int blocks = options.stopAtLayer().isPresent() ? stopLayer(options.stopAtLayer().getAsInt()) : config.layers();
        boolean stopped = options.stopAtLayer().isPresent();
        return pass(options, stopped ? blocks : null, (scope, hooks) -> {
            if (past != null) {
                past.checkContinues(batch, blocks);
            }
            return forward.residual(scope, batch, hooks, blocks, past);
        });
    }

    /**
     * The rest of a forward pass from block {@code fromLayer} on, whose earlier blocks (and, with {@code past}, whose
     * earlier positions) an unintervened base run already computed: what a sweep runs for a point that changes
     * nothing before that block and position (the engine's base-run reuse). Hooks see only what the pass computes:
     * blocks {@code fromLayer} on, at the batch's positions (queries), with every position's keys in scores and
     * patterns and at {@code hook_rot_k}; the final norm and the logits cover the prefix's positions too.
     *
     * @param batch the tokens of the positions computed, {@code rows x new}; only their positions and mask are read
     * @param residual the residual stream entering block {@code fromLayer} at those positions,
     *     {@code [rows, new, d_model]} (copied; the caller keeps it)
     * @param past a read-only {@link KeyValueCache#prefix} holding the keys and values of the positions before them
     *     at every layer from {@code fromLayer} on, or null when the pass computes every position
     * @param pastFinalResidual the final residual stream of {@code past}'s positions, {@code [rows, past, d_model]}
     *     (copied), or null without {@code past}
     * @return logits of every position, {@code [rows, past + new, d_vocab]}, computed when read
     */
    public ForwardResult resume(TokenBatch batch, RunOptions options, int fromLayer, NDArray residual,
            KeyValueCache past, NDArray pastFinalResidual) {
        int pastLength = past == null ? 0 : past.length();
        validate(batch, pastLength);
        if (fromLayer < 0 || fromLayer >= config.layers()) {
            throw new ArrakisException("cannot resume a pass at layer " + fromLayer + ": this model has layers 0.."
                    + (config.layers() - 1));
        }
        if (options.stopAtLayer().isPresent()) {
            throw new ArrakisException("a resumed pass runs to the logits; it cannot stop at a layer");
        }
        checkShape("the residual stream to resume from", residual, batch.batchSize(), batch.sequenceLength());
        if ((past == null) != (pastFinalResidual == null)) {
            throw new ArrakisException("a resumed pass takes the key/value prefix and the final residual stream of"
                    + " its positions together, or neither");
        }
        if (past != null) {
            checkShape("the prefix's final residual stream", pastFinalResidual, batch.batchSize(), pastLength);
        }
        return pass(options, null, (scope, hooks) -> {
            if (past != null) {
                past.checkResumes(batch, fromLayer);
            }
            return forward.resume(scope, batch, hooks, fromLayer, copyInto(scope, residual), past,
                    pastFinalResidual == null ? null : copyInto(scope, pastFinalResidual));
        });
    }

    private void checkShape(String what, NDArray array, int rows, int positions) {
        Shape expected = new Shape(rows, positions, config.dModel());
        if (!array.getShape().equals(expected)) {
            throw new ArrakisException(what + " is " + array.getShape() + ", not " + expected);
        }
    }

    /** A copy in the pass's scope, so that ops on it allocate there and not in the caller's manager. */
    private static NDArray copyInto(NDManager scope, NDArray array) {
        NDArray copy = array.duplicate();
        copy.attach(scope);
        return copy;
    }

    /**
     * Runs a pass's body, which returns the residual stream it ends with, in a scope of its own with its hooks and
     * cache; then the final norm, whose logits are computed when read, unless the pass stopped early. Only the
     * result and the cache outlive the scope.
     */
    private ForwardResult pass(RunOptions options, Integer stoppedAtLayer,
            BiFunction<NDManager, HookDispatcher, NDArray> body) {
        return whileOpen(() -> openPass(options, stoppedAtLayer, body));
    }

    private ForwardResult openPass(RunOptions options, Integer stoppedAtLayer,
            BiFunction<NDManager, HookDispatcher, NDArray> body) {
        NDManager resultManager = manager.newSubManager();
        ActivationCache cache = new ActivationCache(resultManager.newSubManager());
        try (NDManager scope = manager.newSubManager()) {
            HookDispatcher hooks = new HookDispatcher(hookPoints, options, scope, cache);
            NDArray residual = body.apply(scope, hooks);
            if (stoppedAtLayer != null) {
                NDArray output = precision.widen(residual);
                output.attach(resultManager);
                return ForwardResult.stopped(resultManager, output, stoppedAtLayer, cache);
            }
            return ForwardResult.unembedded(resultManager, forward.unembed(resultManager, residual, hooks), cache);
        } catch (RuntimeException e) {
            cache.close();
            resultManager.close();
            throw e;
        }
    }

    private int stopLayer(int requested) {
        int layer = requested < 0 ? config.layers() + requested : requested;
        if (layer < 0 || layer > config.layers()) {
            throw new ArrakisException("cannot stop at layer " + requested + ": this model has layers 0.."
                    + (config.layers() - 1) + " (stop at 0.." + config.layers() + ", or negative from the end)");
        }
        return layer;
    }

    /**
     * Refuses a sequence the model cannot run, as every forward pass does.
     *
     * @throws ArrakisException when the sequence is longer than the model's context
     */
    public void checkSequenceLength(int sequenceLength) {
        if (sequenceLength > config.contextLength()) {
            throw new ArrakisException("sequence of " + sequenceLength
                    + " tokens is longer than the model's context of " + config.contextLength());
        }
    }

    private void validate(TokenBatch batch, int pastLength) {
        checkSequenceLength(pastLength + batch.sequenceLength());
        for (int row = 0; row < batch.batchSize(); row++) {
            for (int position = 0; position < batch.sequenceLength(); position++) {
                long token = batch.token(row, position);
                if (token < 0 || token >= config.vocabSize()) {
                    throw new ArrakisException("token id " + token + " at row " + row + ", position " + position
                            + " is outside the vocabulary (0.." + (config.vocabSize() - 1) + ")");
                }
            }
        }
    }

    /** The manager that owns the weights; forward passes allocate only in sub-managers of it. */
    NDManager manager() {
        return manager;
    }

    /**
     * Runs a call that touches native memory while the model (and, for a view, its base) stays open: close() on
     * another thread waits for it, and a call after close() is refused.
     */
    private <T> T whileOpen(Supplier<T> call) {
        return base == null ? whileThisOpen(call) : base.whileOpen(() -> whileThisOpen(call));
    }

    private <T> T whileThisOpen(Supplier<T> call) {
        inUse.readLock().lock();
        try {
            if (closed) {
                throw new ModelClosedException(name() + " is closed; load it again to run it");
            }
            return call.get();
        } finally {
            inUse.readLock().unlock();
        }
    }

    private String name() {
        String model = source == null ? "the model created in memory" : "the model loaded from " + source;
        return base == null ? model : "a view of " + model;
    }

    /**
     * Frees the weights (and the tokenizer, unless this is a {@link #view}) once the calls running on other threads
     * have returned; every later call fails with {@link ModelClosedException}. Closing twice does nothing.
     *
     * @throws ModelClosedException when called from inside one of this model's own calls (a hook, a listener),
     *     which close() would wait for forever
     */
    @Override
    public void close() {
        if (inUse.getReadHoldCount() > 0) {
            throw new ModelClosedException("cannot close " + name() + " from inside one of its own calls (a hook or"
                    + " a listener on this thread): close() waits for running calls and would wait for this one;"
                    + " close it after the call returns");
        }
        inUse.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            if (tokenizer != null && base == null) {
                tokenizer.close();
            }
            manager.close();
        } finally {
            inUse.writeLock().unlock();
        }
    }
}
