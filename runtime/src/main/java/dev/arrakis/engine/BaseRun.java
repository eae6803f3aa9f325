package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.engine.SweepPlan.Edit;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.KeyValueCache;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The unintervened pass of a run's model input, kept so that each sweep point computes only what its edits can
 * change. A point whose first edit is at block {@code L} leaves blocks {@code 0..L-1} as in this pass, so it starts
 * at block {@code L} from this pass's residual stream; attention is causal, so a point whose edits all lie at
 * positions {@code >= p} leaves every earlier position unchanged at every layer, and computes only positions
 * {@code p..} from there, attending to this pass's keys and values of the earlier ones (a read-only
 * {@link KeyValueCache#prefix}). The logits of the earlier positions come from this pass's final residual stream
 * through the model's one unembedding ({@link HookedTransformer#resume}). Exact: only the order of float sums
 * differs from a full pass.
 */
final class BaseRun implements AutoCloseable {
    /** Where a point's pass starts: its first block and first position; (0, 0) is a full pass. */
    record Start(int layer, int position) {
        static final Start FULL = new Start(0, 0);

        boolean isFull() {
            return layer == 0 && position == 0;
        }
    }

    /**
     * What the run's reads allow: points start at most at {@code latestLayer} (the earliest layer the run captures,
     * which each pass must compute), and after position 0 only when {@code positions}.
     */
    record Limits(int latestLayer, boolean positions) {}

    private final HookedTransformer model;
    private final TokenBatch tokens;
    private final ForwardResult pass;
    /** Every layer's keys and values of every position; null when no point starts after position 0. */
    private final KeyValueCache keysAndValues;

    private BaseRun(HookedTransformer model, TokenBatch tokens, ForwardResult pass, KeyValueCache keysAndValues) {
        this.model = model;
        this.tokens = tokens;
        this.pass = pass;
        this.keysAndValues = keysAndValues;
    }

    /**
     * What limits the points' starts, or null when every point must be a full pass: reuse turned off, a run that
     * reads the whole cache (it would miss the skipped layers), the component profiler (it times whole passes),
     * attribution patching (it has its own passes), or a capture outside the blocks (the embedding is never
     * computed again; ln_final is, but a rule per point kind is not worth it for a rare capture).
     */
    static Limits limits(RunDefinition<?> definition, RunnerOptions options, HookPoints points, TokenBatch tokens) {
        if (!options.baseRunReuse() || definition.needsCache() || options.componentProfile()
                || definition.attributionPatching()) {
            return null;
        }
        int latestLayer = Integer.MAX_VALUE;
        for (TypedHook<?> capture : definition.captures()) {
            int layer = points.get(capture.name()).layer();
            if (layer < 0) {
                return null;
            }
            latestLayer = Math.min(latestLayer, layer);
        }
        // a capture would show a resumed pass's later positions only; left padding shifts each row's positions,
        // which a prefix of the same length for every row cannot follow
        boolean positions = definition.captures().isEmpty() && !tokens.hasPadding();
        return new Limits(latestLayer, positions);
    }

    /**
     * Where a point with these edits may start: the earliest block and position any of them touches (a run with
     * several interventions starts at the earliest), within the limits; a full pass when an edit lies outside the
     * blocks (embedding, ln_final) or the point changes nothing.
     */
    static Start startOf(List<Edit> edits, Limits limits) {
        if (limits == null || edits.isEmpty()) {
            return Start.FULL;
        }
        int layer = limits.latestLayer();
        int position = Integer.MAX_VALUE;
        for (Edit edit : edits) {
            if (edit.point().layer() < 0) {
                return Start.FULL;
            }
            layer = Math.min(layer, edit.point().layer());
            position = Math.min(position, limits.positions() ? firstPosition(edit) : 0);
        }
        return new Start(layer, position);
    }

    /**
     * The first position an edit changes, 0 where its positions are not explicit (every position, or a steering
     * vector that covers positions of its own) or where the pass would not show it the positions it names:
     * {@code hook_rot_k} sees every key of a resumed pass, not only the computed positions.
     */
    private static int firstPosition(Edit edit) {
        if (edit.positions() == null || SteeringEdits.isSteering(edit)
                || edit.point().blockRelativeName().equals("attn.hook_rot_k")) {
            return 0;
        }
        int first = Integer.MAX_VALUE;
        for (int position : edit.positions()) {
            first = Math.min(first, position);
        }
        return first;
    }

    /** Runs the base pass, keeping what the given starts read; each start must not be {@link Start#FULL}. */
    static BaseRun capture(HookedTransformer model, TokenBatch tokens, Collection<Start> starts) {
        HookPoints points = model.hookPoints();
        Set<String> kept = new LinkedHashSet<>();
        boolean positions = false;
        for (Start start : starts) {
            kept.add(points.block(start.layer()).residPre().name());
            positions |= start.position() > 0;
        }
        if (positions) {
            kept.add(finalResidual(model).name());
        }
        KeyValueCache keysAndValues = positions ? model.newKeyValueCache(tokens.batchSize()) : null;
        try {
            ForwardResult pass = model.run(tokens, RunOptions.none().withCache(kept.toArray(String[]::new)),
                    keysAndValues);
            return new BaseRun(model, tokens, pass, keysAndValues);
        } catch (RuntimeException e) {
            if (keysAndValues != null) {
                keysAndValues.close();
            }
            throw e;
        }
    }

    /** What the final norm reads: the last block's output. */
    private static HookPoint finalResidual(HookedTransformer model) {
        return model.hookPoints().block(model.config().layers() - 1).residPost();
    }

    /** A pass of {@code points} sweep points (the input repeated once per point) resumed at {@code start}. */
    ForwardResult resume(Start start, int points, RunOptions options) {
        HookPoints hookPoints = model.hookPoints();
        int length = tokens.sequenceLength();
        int position = start.position();
        NDArray residPre = pass.cache().get(hookPoints.block(start.layer()).residPre().name());
        try (NDManager inputs = residPre.getManager().newSubManager();
                KeyValueCache prefix = position == 0 ? null
                        : keysAndValues.prefix(position, points, start.layer())) {
            NDArray residual = repeated(residPre, position, length, points, inputs);
            NDArray pastFinal = position == 0 ? null
                    : repeated(pass.cache().get(finalResidual(model).name()), 0, position, points, inputs);
            return model.resume(laterPositions(position, points), options, start.layer(), residual, prefix,
                    pastFinal);
        }
    }

    /** Positions {@code from..to-1} of every row, the rows repeated {@code times} over, in {@code into}. */
    private static NDArray repeated(NDArray activation, int from, int to, int times, NDManager into) {
        NDArray positions = activation.get(new NDIndex(":, {}:{}", from, to));
        positions.attach(into);
        return times == 1 ? positions : NDArrays.concat(new NDList(Collections.nCopies(times, positions)), 0);
    }

    /** The input's tokens from {@code position} on, repeated once per point. */
    private TokenBatch laterPositions(int position, int points) {
        if (position == 0) {
            return RunExecution.repeat(tokens, points);
        }
        int rows = tokens.batchSize();
        long[][] later = new long[rows * points][tokens.sequenceLength() - position];
        for (int row = 0; row < later.length; row++) {
            for (int p = position; p < tokens.sequenceLength(); p++) {
                later[row][p - position] = tokens.token(row % rows, p);
            }
        }
        return TokenBatch.of(later);
    }

    @Override
    public void close() {
        pass.close();
        if (keysAndValues != null) {
            keysAndValues.close();
        }
    }
}
