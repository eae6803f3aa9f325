package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.UnknownHookPointException;
import java.util.List;

/**
 * Runs one forward pass's hooks and caching at each hook point the pass visits. Created per pass by the model; the
 * options are validated against the model's hook points before any computation starts.
 */
public final class HookDispatcher {
    private final RunOptions options;
    private final NDManager scope;
    private final ActivationCache cache;

    /**
     * @param cache where the activations the options ask to cache go
     * @throws UnknownHookPointException when a hook or cache name is not a hook point of the model
     */
    public HookDispatcher(HookPoints points, RunOptions options, NDManager scope, ActivationCache cache) {
        options.hooks().keySet().forEach(points::get);
        options.namedForCache().forEach(points::get);
        this.options = options;
        this.scope = scope;
        this.cache = cache;
    }

    /** True when a hook or the cache wants this point: opt-in activations are computed only then. */
    public boolean wants(HookPoint point) {
        return options.hooks().containsKey(point.name()) || options.caches(point);
    }

    /** Runs the point's hooks on the activation, caches the result if asked, and returns what flows on. */
    public NDArray visit(HookPoint point, NDArray activation) {
        NDArray current = activation;
        List<Hook> hooks = options.hooks().get(point.name());
        if (hooks != null) {
            HookContext context = new HookContext(point, scope);
            for (Hook hook : hooks) {
                current = runHook(hook, point, current, context);
            }
        }
        if (options.caches(point)) {
            cache.put(point.name(), current);
        }
        return current;
    }

    private NDArray runHook(Hook hook, HookPoint point, NDArray input, HookContext context) {
        NDArray output;
        try {
            output = hook.apply(input, context);
        } catch (RuntimeException e) {
            throw new HookException(point.name(), "threw " + e, e);
        }
        if (output == null) {
            throw new HookException(point.name(), "returned null; return the activation itself to keep it", null);
        }
        if (!output.getShape().equals(input.getShape()) || output.getDataType() != input.getDataType()) {
            throw new HookException(point.name(), "returned " + output.getDataType() + output.getShape()
                    + " but the activation is " + input.getDataType() + input.getShape(), null);
        }
        if (!insidePass(output.getManager())) {
            // An array from the caller's own manager: copy it in so ops on it allocate in this pass's scope,
            // not in memory the caller owns and would see grow.
            NDArray copy = output.duplicate();
            copy.attach(scope);
            return copy;
        }
        return output;
    }

    /** The pass's scope or one under it, such as the scope of the block being computed. */
    private boolean insidePass(NDManager manager) {
        for (NDManager current = manager; current != null; current = current.getParentManager()) {
            if (current == scope) {
                return true;
            }
            if (current.getParentManager() == current) {
                return false;
            }
        }
        return false;
    }
}
