package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.spec.HookPoint;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Gradients of a {@link LogitMetric} with respect to activations at hook points, from one forward and one backward
 * pass. At each hook point asked for, the pass adds a zero leaf that requires a gradient: the activation flowing on is
 * numerically the same, and the leaf's gradient is d metric / d activation at that point, taken on the real tensor the
 * rest of the pass reads (a gradient of a reshaped copy would never arrive). Hooks, leaves and the gradient graph exist
 * only for the call: they are gone when it returns, whether it returns or throws.
 */
public final class Gradients {
    private Gradients() {}

    /**
     * TransformerLens's {@code run_with_cache(incl_bwd=True)} for the named hook points: their activations and the
     * metric's gradient with respect to each.
     *
     * @throws dev.arrakis.spec.UnknownHookPointException when a name is not a hook point of the model
     * @throws GradientException when the metric throws or is not a scalar
     */
    public static GradientCache runWithCache(HookedTransformer model, TokenBatch batch, LogitMetric metric,
            String... hookNames) {
        return runWithCache(model, batch, RunOptions.none(), metric, Arrays.asList(hookNames));
    }

    /**
     * As {@link #runWithCache(HookedTransformer, TokenBatch, LogitMetric, String...)} on a pass with hooks of its own
     * (e.g. an ablation), which run before the gradient is taken at the same point.
     */
    public static GradientCache runWithCache(HookedTransformer model, TokenBatch batch, RunOptions options,
            LogitMetric metric, List<String> hookNames) {
        NDManager owner = NDManager.newBaseManager("PyTorch");
        try {
            Map<String, NDArray> activations = new LinkedHashMap<>();
            Map<String, NDArray> gradients = new LinkedHashMap<>();
            List<HookPoint> reached = new ArrayList<>();
            double value = differentiate(model, batch, options, metric, hookNames, (point, activation, gradient) -> {
                reached.add(point);
                activations.put(point.name(), keep(activation, owner));
                gradients.put(point.name(), keep(gradient, owner));
            });
            // the backward pass reaches the points latest first; the cache lists them in forward order
            Map<String, NDArray> forwardActivations = new LinkedHashMap<>();
            Map<String, NDArray> forwardGradients = new LinkedHashMap<>();
            for (int i = reached.size() - 1; i >= 0; i--) {
                String name = reached.get(i).name();
                forwardActivations.put(name, activations.get(name));
                forwardGradients.put(name, gradients.get(name));
            }
            return new GradientCache(owner, value, forwardActivations, forwardGradients);
        } catch (RuntimeException e) {
            owner.close();
            throw e;
        }
    }

    /**
     * Runs the model, takes the metric, and calls each backward hook with the metric's gradient at its hook point
     * (latest hook point first, as a backward pass reaches them), TransformerLens's backward hooks. The hooks are
     * attached for this call only.
     *
     * @return the metric's value
     * @throws GradientException when the metric or a hook throws (a hook's error names its hook point)
     */
    public static double runWithBackwardHooks(HookedTransformer model, TokenBatch batch, LogitMetric metric,
            Map<String, BackwardHook> hooks) {
        return differentiate(model, batch, RunOptions.none(), metric, new ArrayList<>(hooks.keySet()),
                (point, activation, gradient) -> {
                    try {
                        hooks.get(point.name()).apply(gradient, point);
                    } catch (RuntimeException e) {
                        throw new GradientException("backward hook at '" + point.name() + "' threw " + e, e);
                    }
                });
    }

    /** What a differentiated pass hands on for each hook point: its activation and gradient, freed afterwards. */
    @FunctionalInterface
    interface GradientSink {
        void accept(HookPoint point, NDArray activation, NDArray gradient);
    }

    /**
     * The one differentiated pass: leaves at the named points, the metric on the logits, one backward pass, then the
     * sink sees each point in reverse forward order while the arrays are alive.
     */
    static double differentiate(HookedTransformer model, TokenBatch batch, RunOptions options, LogitMetric metric,
            List<String> hookNames, GradientSink sink) {
        Objects.requireNonNull(metric, "metric");
        Set<String> names = new LinkedHashSet<>(hookNames);
        names.forEach(model.hookPoints()::get);
        try (NDManager leaves = NDManager.newBaseManager("PyTorch");
                GradientCollector collector = GradientTurns.open()) {
            Map<HookPoint, NDArray[]> leafAndActivation = new LinkedHashMap<>();
            RunOptions differentiated = options;
            for (String name : names) {
                differentiated = differentiated.withHook(name, (activation, context) -> {
                    NDArray leaf = leaves.zeros(activation.getShape(), activation.getDataType());
                    leaf.setRequiresGradient(true);
                    NDArray flowing = activation.add(leaf);
                    NDArray detached = activation.stopGradient();
                    detached.attach(leaves);
                    leafAndActivation.put(context.point(), new NDArray[] {leaf, detached});
                    return flowing;
                });
            }
            try (ForwardResult result = model.run(batch, differentiated)) {
                NDArray value = evaluate(metric, result.logits());
                double number = value.toType(DataType.FLOAT64, false).getDouble();
                collector.backward(leafAndActivation.isEmpty() ? value
                        : anchored(value, leafAndActivation.values().iterator().next()[0], leaves));
                List<HookPoint> reverse = new ArrayList<>(leafAndActivation.keySet());
                java.util.Collections.reverse(reverse);
                for (HookPoint point : reverse) {
                    NDArray[] arrays = leafAndActivation.get(point);
                    sink.accept(point, arrays[1], arrays[0].getGradient());
                }
                return number;
            }
        }
    }

    /**
     * The value plus 0 x a leaf: numerically the value, and its gradients the same, but always part of the graph.
     * A hook that replaces the activations after every asked-for point with constants (a zero ablation) leaves the
     * metric constant; libtorch refuses a backward pass from a constant, while the true gradients are zero, which is
     * what the leaves then get.
     */
    private static NDArray anchored(NDArray value, NDArray leaf, NDManager leaves) {
        return value.add(leaf.sum().mul(leaves.zeros(new Shape(), leaf.getDataType())));
    }

    /** Runs the metric and checks it gave one number, wrapping what it throws with what it is. */
    static NDArray evaluate(LogitMetric metric, NDArray logits) {
        NDArray value;
        try {
            value = metric.apply(logits);
        } catch (ArrakisException e) {
            throw e; // already names what is at fault
        } catch (RuntimeException e) {
            throw new GradientException("the metric threw " + e, e);
        }
        if (value == null) {
            throw new GradientException("the metric returned null; it returns a scalar NDArray computed from the"
                    + " logits", null);
        }
        if (value.getShape().size() != 1) {
            throw new GradientException("the metric returned an array of shape " + value.getShape()
                    + "; a metric is one number (reduce it with sum() or mean())", null);
        }
        return value.getShape().dimension() == 0 ? value : value.reshape(new Shape());
    }

    private static NDArray keep(NDArray array, NDManager owner) {
        NDArray copy = array.duplicate();
        copy.attach(owner);
        return copy;
    }
}
