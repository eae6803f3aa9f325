package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.ArrakisException;
import dev.arrakis.util.DidYouMean;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Activations recorded at hook points during one forward pass, detached from autograd. The arrays live in the
 * cache's own memory scope and are freed together by {@link #close()}.
 */
public final class ActivationCache implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> activations = new LinkedHashMap<>();

    public ActivationCache(NDManager manager) {
        this.manager = manager;
    }

    void put(String hookName, NDArray activation) {
        NDArray detached = activation.stopGradient();
        detached.attach(manager);
        NDArray previous = activations.put(hookName, detached);
        if (previous != null) {
            previous.close();
        }
    }

    /** The activation cached under that hook name; an unknown name fails with the nearest cached names. */
    public NDArray get(String hookName) {
        NDArray activation = activations.get(hookName);
        if (activation == null) {
            throw new ArrakisException("'" + hookName + "' is not in this cache (" + activations.size()
                    + " activations cached)" + DidYouMean.hint(hookName, activations.keySet()));
        }
        return activation;
    }

    public boolean contains(String hookName) {
        return activations.containsKey(hookName);
    }

    /** Cached hook names in forward order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(activations.keySet());
    }

    public int size() {
        return activations.size();
    }

    @Override
    public void close() {
        manager.close();
        activations.clear();
    }
}
