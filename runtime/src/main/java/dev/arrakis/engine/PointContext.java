package dev.arrakis.engine;

import ai.djl.ndarray.NDManager;
import dev.arrakis.annotations.Axis;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.RunContext;
import dev.arrakis.hooks.Activation;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.Activations;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.util.DidYouMean;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.stream.Collectors;

/**
 * One sweep point's view of a batched pass: its own rows of the logits and of every cached activation, sliced on
 * first use into the point's scope, which the runner closes when the run method returns. Its logits are unembedded
 * as the run method reads them, never the other points' rows.
 */
final class PointContext implements RunContext {
    private final String runName;
    private final HookedTransformer model;
    private final ForwardResult pass;
    private final int fromRow;
    private final int toRow;
    private final NDManager scope;
    private final Map<String, Object> inputs;
    private final Map<Axis, Integer> coordinates;
    private final TokenBatch tokens;
    private final List<SweepPlan.Edit> edits;
    private final CleanActivations clean;
    private final IntFunction<Map<HookPoint, Hook>> steering;
    private Logits logits;
    private ActivationCache cache;

    PointContext(String runName, HookedTransformer model, ForwardResult pass, int fromRow, int toRow, NDManager scope,
            Map<String, Object> inputs, Map<Axis, Integer> coordinates, TokenBatch tokens, List<SweepPlan.Edit> edits,
            CleanActivations clean, IntFunction<Map<HookPoint, Hook>> steering) {
        this.runName = runName;
        this.model = model;
        this.pass = pass;
        this.fromRow = fromRow;
        this.toRow = toRow;
        this.scope = scope;
        this.inputs = inputs;
        this.coordinates = coordinates;
        this.tokens = tokens;
        this.edits = edits;
        this.clean = clean;
        this.steering = steering;
    }

    @Override
    public Logits logits() {
        if (logits == null) {
            logits = pass.lazyLogits().rows(fromRow, toRow, scope);
        }
        return logits;
    }

    @Override
    public ActivationCache cache() {
        if (cache == null) {
            cache = pass.cache().rows(fromRow, toRow, scope);
        }
        return cache;
    }

    @Override
    public <A> A capture(TypedHook<A> hook) {
        String hookName = hook.name();
        Class<A> type = hook.type();
        if (Activation.class.isAssignableFrom(type) && model.hookPoints().contains(hookName)) {
            // Checked by kind, not rank: a Residual and a Neurons array both have three axes.
            HookPoint point = model.hookPoints().get(hookName);
            Class<? extends Activation> holds = Activations.typeOf(point.kind());
            if (!type.isAssignableFrom(holds)) {
                throw new ExperimentRunException("run " + runName + " reads '" + hookName + "' as "
                        + type.getSimpleName() + ", but it holds " + holds.getSimpleName() + " " + point.dimsLabel());
            }
            return type.cast(Activations.wrap(holds, cache().get(hookName)));
        }
        return Activations.wrap(type, cache().get(hookName));
    }

    @Override
    @SuppressWarnings("unchecked") // the value under the input's name is what its provider, typed T, returned
    public <T> T input(InputDefinition<?, T> input) {
        String name = input.name();
        if (!inputs.containsKey(name)) {
            throw new ExperimentRunException("run " + runName + " reads input '" + name + "', which does not exist"
                    + DidYouMean.hint(name, inputs.keySet()) + " (inputs: " + String.join(", ", inputs.keySet())
                    + ")");
        }
        return (T) inputs.get(name);
    }

    @Override
    public int coordinate(Axis axis) {
        Integer value = coordinates.get(axis);
        if (value == null) {
            throw new ExperimentRunException("run " + runName + " does not sweep '" + Intervention.axisName(axis)
                    + "'" + (coordinates.isEmpty() ? "; it has no swept axis" : "; its axes are " + coordinates.keySet()
                            .stream().map(Intervention::axisName).collect(Collectors.joining(", "))));
        }
        return value;
    }

    @Override
    public HookedTransformer model() {
        return model;
    }

    @Override
    public TokenBatch tokens() {
        return tokens;
    }

    @Override
    public NDManager scope() {
        return scope;
    }

    /**
     * The point's edits as hooks for a pass of its rows at any length: zero ablations and steering. A mean, resample
     * or patch source is a clean pass of the input's own length, which a longer sequence has no rows of.
     */
    @Override
    public RunOptions interventions(int sequenceLength) {
        List<SweepPlan.Edit> replacements = edits.stream().filter(edit -> !SteeringEdits.isSteering(edit)).toList();
        for (SweepPlan.Edit edit : replacements) {
            if (edit.source().kind() != SweepPlan.SourceKind.ZERO) {
                throw new ExperimentRunException("run " + runName + " replaces " + edit.point().name() + " by "
                        + edit.source().kind().name().toLowerCase(Locale.ROOT) + ", which reads a clean pass"
                        + " of the input's length; a pass of another length (generation) can apply zero ablations"
                        + " and steering only");
            }
        }
        RunOptions options = RunOptions.none();
        for (Map.Entry<HookPoint, Hook> hook : BatchedEdits.hooks(List.of(replacements), tokens.batchSize(),
                sequenceLength, model.config(), clean).entrySet()) {
            options = options.withHook(hook.getKey().name(), hook.getValue());
        }
        for (Map.Entry<HookPoint, Hook> hook : steering.apply(sequenceLength).entrySet()) {
            options = options.withHook(hook.getKey().name(), hook.getValue());
        }
        return options;
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    /** The point as text for messages: {@code layer=1, head=3}, or empty for a single point. */
    static String describe(Map<Axis, Integer> coordinates) {
        StringBuilder text = new StringBuilder();
        coordinates.forEach((axis, value) -> text.append(text.isEmpty() ? "" : ", ")
                .append(Intervention.axisName(axis)).append('=')
                .append(value));
        return text.toString();
    }
}
