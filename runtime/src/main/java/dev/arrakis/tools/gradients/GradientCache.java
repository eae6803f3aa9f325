package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.ArrakisException;
import dev.arrakis.util.DidYouMean;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * The activations of one forward pass at the hook points asked for and the gradient of a metric with respect to each,
 * from one forward and one backward pass: TransformerLens's {@code run_with_cache(incl_bwd=True)}, whose
 * {@code cache[name + "_grad"]} is {@link #gradient(String)} here. Owns its arrays: close it.
 */
public final class GradientCache implements AutoCloseable {
    private final NDManager manager;
    private final double metric;
    private final Map<String, NDArray> activations;
    private final Map<String, NDArray> gradients;

    GradientCache(NDManager manager, double metric, Map<String, NDArray> activations, Map<String, NDArray> gradients) {
        this.manager = manager;
        this.metric = metric;
        this.activations = Collections.unmodifiableMap(activations);
        this.gradients = Collections.unmodifiableMap(gradients);
    }

    /** The metric's value on this pass. */
    public double metric() {
        return metric;
    }

    /** The activation at the hook point, detached, of its hook point's shape. */
    public NDArray activation(String hookName) {
        return lookUp(activations, hookName, "activation");
    }

    /** d metric / d activation at the hook point, of the activation's shape. */
    public NDArray gradient(String hookName) {
        return lookUp(gradients, hookName, "gradient");
    }

    /** The hook names held, in forward order. */
    public Set<String> names() {
        return activations.keySet();
    }

    private static NDArray lookUp(Map<String, NDArray> arrays, String hookName, String what) {
        NDArray array = arrays.get(hookName);
        if (array == null) {
            throw new ArrakisException("no " + what + " of '" + hookName + "' in this gradient cache (it holds "
                    + arrays.keySet() + ")" + DidYouMean.hint(hookName, arrays.keySet()));
        }
        return array;
    }

    @Override
    public void close() {
        manager.close();
    }
}
