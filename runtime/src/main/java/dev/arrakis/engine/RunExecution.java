package dev.arrakis.engine;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.annotations.Axis;
import dev.arrakis.engine.SweepPlan.Edit;
import dev.arrakis.engine.SweepPlan.SourceKind;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.ModelInput;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.profile.ComponentProfiler;
import dev.arrakis.profile.MemoryProbe;
import dev.arrakis.runs.RunEnvironment;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunRecord;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Intervention.Patching;
import dev.arrakis.spec.Intervention;
import dev.arrakis.spec.InterventionRules.ResolvedHook;
import dev.arrakis.spec.Selection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * One call of a run: inputs, the clean passes its replacements read, the batched passes of its sweep points, and
 * one call of the run method per point.
 *
 * @param <E> the experiment class
 */
final class RunExecution<E> {
    private final ExperimentDefinition<E> experiment;
    private final ValidatedRun<E> run;
    private final HookedTransformer model;
    private final RunnerOptions options;
    /** Times each component of each pass when the options ask for it; null otherwise. */
    private final ComponentProfiler profiler;

    private long inputsNanos;
    private long cleanNanos;
    private long passNanos;
    private long invokeNanos;
    private int passes;
    /** Blocks run x rows x positions computed, over every pass: see {@link RunRecord.PhaseTimings#layerTokens}. */
    private long layerTokens;

    RunExecution(ValidatedRun<E> run, HookedTransformer model, RunnerOptions options) {
        this.experiment = run.reference().experiment();
        this.run = run;
        this.model = model;
        this.options = options;
        this.profiler = options.componentProfile() ? ComponentProfiler.of(model) : null;
    }

    /**
     * Runs the run. Peak memory is measured from here, after the model loaded, so its baseline holds the weights
     * and the peak shows what the run itself added.
     */
    RunOutcome execute(RunRecord.ModelIdentity identity, RunEnvironment environment, long loadMs,
            Instant startedAt) {
        try (MemoryProbe probe = MemoryProbe.start()) {
            return execute(identity, environment, loadMs, startedAt, probe);
        }
    }

    private BiFunction<TokenBatch, RunOptions, ForwardResult> forward() {
        return profiler == null ? model::run : profiler::run;
    }

    private RunOutcome execute(RunRecord.ModelIdentity identity, RunEnvironment environment, long loadMs,
            Instant startedAt, MemoryProbe probe) {
        long started = System.nanoTime();
        E instance = newInstance();
        Map<String, Object> inputs = callInputs(instance);
        inputsNanos = System.nanoTime() - started;

        TokenBatch tokens = tokensOf(run.modelInput(), inputs);
        Map<String, TokenBatch> batches = new LinkedHashMap<>();
        batches.put(run.modelInput(), tokens);
        for (Intervention intervention : run.interventions()) {
            if (intervention instanceof Patching patch) {
                batches.put(patch.from(), requireSameShape(patch, tokensOf(patch.from(), inputs), tokens));
            }
        }
        SweepPlan plan = SweepPlan.of(run, model.config(), tokens.sequenceLength(),
                "input '" + run.modelInput() + "' of " + tokens.sequenceLength() + " tokens");

        List<Object> values;
        if (run.definition().attributionPatching()) {
            values = estimatePoints(plan, tokens, batches, instance, inputs);
        } else {
            long cleanStarted = System.nanoTime();
            CleanActivations clean = CleanActivations.capture(forward(), cleanNeeds(plan), batches);
            passes += clean.passes();
            layerTokens += (long) clean.passes() * fullPassWork(tokens);
            cleanNanos = System.nanoTime() - cleanStarted;
            values = runPoints(plan, tokens, clean, instance, inputs);
        }
        int completed = values.size();
        RunStatus status = completed == plan.points() ? RunStatus.COMPLETE : RunStatus.INTERRUPTED;
        options.listener().ended(status, completed, plan.points());
        while (values.size() < plan.points()) {
            values.add(null);
        }
        List<SweepAxis> axes = plan.sweepAxes();
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        values.forEach(value -> results.add(ResultValues.toJson(value)));
        PlotRequest plot = PlotResolver.resolve(run.definition().plot(), run.definition().name(), axes, values,
                positionTokens(tokens));
        RunRecord record = new RunRecord(experiment.name(), run.definition().name(), experiment.fingerprint(),
                experiment.source(), identity, arguments(inputs), axes, results, plot,
                run.definition().resultType(), status, completed, options.seed(), environment,
                new RunRecord.PhaseTimings(loadMs, millis(inputsNanos), millis(cleanNanos), millis(passNanos),
                        millis(invokeNanos), passes, layerTokens),
                probe.finish(), profiler == null ? null : profiler.profile(), startedAt, Instant.now());
        return new RunOutcome(record, axes, values, plot);
    }

    private List<Object> runPoints(SweepPlan plan, TokenBatch tokens, CleanActivations clean, E instance,
            Map<String, Object> inputs) {
        RunDefinition<E> definition = run.definition();
        RunOptions base = RunOptions.none();
        if (definition.needsCache()) {
            base = base.withCacheAll();
        }
        if (!definition.captures().isEmpty()) {
            base = base.withCache(definition.captures().toArray(TypedHook<?>[]::new));
        }
        int batch = tokens.batchSize();
        int length = tokens.sequenceLength();
        BaseRun.Limits limits = BaseRun.limits(definition, options, model.hookPoints(), tokens);
        BaseRun.Start[] starts = new BaseRun.Start[plan.points()];
        Set<BaseRun.Start> resumed = new LinkedHashSet<>();
        for (int point = 0; point < plan.points(); point++) {
            starts[point] = BaseRun.startOf(plan.edits(point), limits);
            if (!starts[point].isFull()) {
                resumed.add(starts[point]);
            }
        }
        List<Object> values = new ArrayList<>(plan.points());
        RunListener listener = options.listener();
        listener.started(experiment.name(), definition.name(), plan.points());
        long baseStarted = System.nanoTime();
        try (BaseRun baseRun = resumed.isEmpty() ? null : BaseRun.capture(model, tokens, resumed)) {
            if (baseRun != null) {
                passNanos += System.nanoTime() - baseStarted;
                passes++;
                layerTokens += fullPassWork(tokens);
            }
            int first = 0;
            while (first < plan.points()) {
                if (options.stopSignal().map(StopSignal::isRequested).orElse(false)) {
                    break;
                }
                BaseRun.Start start = starts[first];
                int computed = length - start.position();
                int pointsPerPass = Math.max(1, Math.min(options.maxRowsPerPass() / batch,
                        options.maxTokensPerPass() / (batch * computed)));
                // only neighbours share a pass, so points finish in order and an interrupted run keeps a prefix
                int count = 1;
                while (count < pointsPerPass && first + count < plan.points()
                        && starts[first + count].equals(start)) {
                    count++;
                }
                List<List<Edit>> edits = new ArrayList<>(count);
                for (int point = first; point < first + count; point++) {
                    edits.add(plan.edits(point));
                }
                long passStarted = System.nanoTime();
                RunOptions passOptions = base;
                List<List<Edit>> replacements = edits.stream()
                        .map(point -> point.stream().filter(edit -> !SteeringEdits.isSteering(edit)).toList())
                        .toList();
                for (Map.Entry<HookPoint, Hook> hook : BatchedEdits.hooks(replacements, batch, length,
                        model.config(), clean, start.position()).entrySet()) {
                    passOptions = passOptions.withHook(hook.getKey().name(), hook.getValue());
                }
                // steering points never start after position 0 (BaseRun.startOf), so their addends span the input
                for (Map.Entry<HookPoint, Hook> hook : SteeringEdits.hooks(edits, batch, length,
                        model.config().dModel(), run.interventions(), inputs, experiment.name()).entrySet()) {
                    passOptions = passOptions.withHook(hook.getKey().name(), hook.getValue());
                }
                try (ForwardResult pass = start.isFull() ? forward().apply(repeat(tokens, count), passOptions)
                        : baseRun.resume(start, count, passOptions)) {
                    passNanos += System.nanoTime() - passStarted;
                    passes++;
                    layerTokens += (long) (model.config().layers() - start.layer()) * count * batch * computed;
                    for (int offset = 0; offset < count; offset++) {
                        values.add(invoke(pass, offset * batch, (offset + 1) * batch,
                                plan.coordinates(first + offset), instance, inputs, tokens, plan.edits(first + offset),
                                clean));
                    }
                }
                first += count;
                listener.progressed(values.size(), plan.points());
            }
        }
        return values;
    }

    /** An {@code @AttributionPatch} run: every point from a clean, a corrupted and a backward pass. */
    private List<Object> estimatePoints(SweepPlan plan, TokenBatch tokens, Map<String, TokenBatch> batches, E instance,
            Map<String, Object> inputs) {
        String from = run.interventions().stream().filter(Patching.class::isInstance).map(Patching.class::cast)
                .map(Patching::from).findFirst().orElseThrow();
        options.listener().started(experiment.name(), run.definition().name(), plan.points());
        long started = System.nanoTime();
        List<Object> values = AttributionSweep.values(plan, model, run.definition(), instance, inputs, tokens,
                batches.get(from));
        passNanos += System.nanoTime() - started;
        passes += 2;
        layerTokens += 2 * fullPassWork(tokens);
        options.listener().progressed(values.size(), plan.points());
        return values;
    }

    private Object invoke(ForwardResult pass, int fromRow, int toRow, Map<Axis, Integer> coordinates, E instance,
            Map<String, Object> inputs, TokenBatch tokens, List<Edit> edits, CleanActivations clean) {
        long started = System.nanoTime();
        String name = run.definition().name();
        try (NDManager scope = pass.newScope()) {
            PointContext context = new PointContext(name, model, pass, fromRow, toRow, scope, inputs, coordinates,
                    tokens, edits, clean, length -> SteeringEdits.hooks(List.of(edits), tokens.batchSize(), length,
                            model.config().dModel(), run.interventions(), inputs, experiment.name()));
            Object result;
            try {
                result = run.definition().invoker().invoke(instance, context);
            } catch (Exception e) {
                String at = coordinates.isEmpty() ? "" : " at " + PointContext.describe(coordinates);
                throw new ExperimentRunException(experiment.name() + "." + name + at + " failed: " + e.getMessage(),
                        e);
            }
            return ResultValues.toJava(result);
        } finally {
            invokeNanos += System.nanoTime() - started;
        }
    }

    /** The work of one full pass over the batch: every block, every row, every position. */
    private long fullPassWork(TokenBatch batch) {
        return (long) model.config().layers() * batch.batchSize() * batch.sequenceLength();
    }

    /** The hook points each input's clean pass must cache: what mean, resample and patch replace with. */
    private static Map<String, Set<HookPoint>> cleanNeeds(SweepPlan plan) {
        Map<String, Set<HookPoint>> needed = new LinkedHashMap<>();
        for (int point = 0; point < plan.points(); point++) {
            for (Edit edit : plan.edits(point)) {
                if (edit.source().kind() != SourceKind.ZERO && edit.source().kind() != SourceKind.STEER) {
                    needed.computeIfAbsent(edit.source().input(), input -> new LinkedHashSet<>()).add(edit.point());
                }
            }
        }
        return needed;
    }

    /** The batch's rows, {@code times} over: copy {@code j} holds sweep point {@code j} of the pass. */
    static TokenBatch repeat(TokenBatch batch, int times) {
        if (times == 1) {
            return batch;
        }
        int rows = batch.batchSize();
        int length = batch.sequenceLength();
        long[][] tokens = new long[rows * times][length];
        boolean[][] mask = new boolean[rows * times][length];
        for (int copy = 0; copy < times; copy++) {
            for (int row = 0; row < rows; row++) {
                for (int position = 0; position < length; position++) {
                    tokens[copy * rows + row][position] = batch.token(row, position);
                    mask[copy * rows + row][position] = batch.attended(row, position);
                }
            }
        }
        return batch.hasPadding() ? TokenBatch.withMask(tokens, mask) : TokenBatch.of(tokens);
    }

    private E newInstance() {
        try {
            return experiment.newInstance();
        } catch (RuntimeException e) {
            throw new ExperimentRunException("cannot create " + experiment.experimentClass() + ": " + e, e);
        }
    }

    private Map<String, Object> callInputs(E instance) {
        Map<String, Object> inputs = new LinkedHashMap<>();
        for (InputDefinition<E, ?> input : experiment.inputs()) {
            try {
                inputs.put(input.name(), input.provider().provide(instance, model));
            } catch (Exception e) {
                throw new ExperimentRunException("@Input " + input.name() + " of " + experiment.name() + " failed: "
                        + e.getMessage(), e);
            }
        }
        return inputs;
    }

    /**
     * The input's token at each position as text, for plot labels: decoded one id at a time to keep GPT-2's leading
     * spaces, null where the rows of the batch hold different tokens (or padding); empty without a tokenizer.
     */
    private List<String> positionTokens(TokenBatch tokens) {
        return model.tokenizer().map(tokenizer -> {
            List<String> texts = new ArrayList<>(tokens.sequenceLength());
            for (int position = 0; position < tokens.sequenceLength(); position++) {
                long id = tokens.token(0, position);
                boolean shared = true;
                for (int row = 0; row < tokens.batchSize(); row++) {
                    shared &= tokens.token(row, position) == id && tokens.attended(row, position);
                }
                texts.add(shared ? tokenizer.decode(new long[] {id}) : null);
            }
            return java.util.Collections.unmodifiableList(texts);
        }).orElse(List.of());
    }

    private TokenBatch tokensOf(String name, Map<String, Object> inputs) {
        Object value = inputs.get(name);
        TokenBatch tokens;
        if (value instanceof TokenBatch batch) {
            tokens = batch;
        } else if (value instanceof ModelInput input) {
            tokens = input.tokens();
        } else if (value == null) {
            tokens = null;
        } else {
            throw new ExperimentRunException("input '" + name + "' of " + experiment.name() + " is a "
                    + value.getClass().getName() + "; the model runs on a TokenBatch or a ModelInput");
        }
        if (tokens == null) {
            throw new ExperimentRunException("input '" + name + "' of " + experiment.name()
                    + " gave no tokens for the model to run on");
        }
        return tokens;
    }

    private static TokenBatch requireSameShape(Patching patch, TokenBatch from, TokenBatch into) {
        if (from.batchSize() != into.batchSize() || from.sequenceLength() != into.sequenceLength()) {
            throw new ExperimentRunException("cannot patch from '" + patch.from() + "' (" + describe(from)
                    + ") into '" + patch.into() + "' (" + describe(into) + "): both inputs need the same number of"
                    + " rows and tokens");
        }
        return from;
    }

    private static String describe(TokenBatch batch) {
        return batch.batchSize() + " rows of " + batch.sequenceLength() + " tokens";
    }

    private ObjectNode arguments(Map<String, Object> inputs) {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        ObjectNode inputNodes = arguments.putObject("inputs");
        inputs.forEach((name, value) -> inputNodes.set(name, Snapshots.of(value)));
        ObjectNode overrides = arguments.putObject("overrides");
        run.overrides().forEach(overrides::put);
        ArrayNode interventions = arguments.putArray("interventions");
        for (int i = 0; i < run.interventions().size(); i++) {
            interventions.add(describe(run.labels().get(i), run.hooks().get(i), run.interventions().get(i)));
        }
        if (run.definition().attributionPatching()) {
            // the values are first-order estimates of the patch, not patched runs
            arguments.put("estimate", "attribution patching");
        }
        return arguments;
    }

    private static ObjectNode describe(String label, ResolvedHook hook, Intervention intervention) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("label", label);
        node.put("kind", intervention instanceof Ablation ? "ablate"
                : intervention instanceof Intervention.Steering ? "steer" : "patch");
        node.put("hook", hook.written());
        intervention.selections().forEach((axis, selection) -> {
            if (selection.isGiven() || selection.swept()) {
                node.set(Intervention.axisName(axis), describe(selection));
            }
        });
        if (intervention instanceof Ablation ablation) {
            node.put("method", ablation.method().name());
        } else if (intervention instanceof Intervention.Steering steering) {
            node.put("coefficient", steering.coefficient());
            if (!steering.sweptCoefficients().isEmpty()) {
                steering.sweptCoefficients().forEach(node.putArray("coefficients")::add);
            }
            node.put("vector", steering.vector());
        } else {
            Patching patch = (Patching) intervention;
            node.put("from", patch.from());
            node.put("into", patch.into());
        }
        return node;
    }

    private static ObjectNode describe(Selection selection) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        if (selection.all()) {
            node.put("all", true);
        } else {
            ArrayNode values = node.putArray("values");
            selection.values().forEach(values::add);
        }
        node.put("swept", selection.swept());
        return node;
    }

    private static long millis(long nanos) {
        return nanos / 1_000_000;
    }
}
