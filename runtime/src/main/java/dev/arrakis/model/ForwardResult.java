package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.ActivationCache;
import java.util.Optional;

/**
 * What one forward pass produced: logits {@code [batch, pos, d_vocab]} (or, when it stopped early, the residual
 * stream {@code [batch, pos, d_model]}) and the activations it cached. Owns their native memory: close it.
 */
public final class ForwardResult implements AutoCloseable {
    private final NDManager manager;
    private final NDArray output;
    private final Integer stoppedAtLayer;
    private final ActivationCache cache;

    ForwardResult(NDManager manager, NDArray output, Integer stoppedAtLayer, ActivationCache cache) {
        this.manager = manager;
        this.output = output;
        this.stoppedAtLayer = stoppedAtLayer;
        this.cache = cache;
    }

    public NDArray logits() {
        if (stoppedAtLayer != null) {
            throw new ArrakisException("this pass stopped at layer " + stoppedAtLayer
                    + " and has no logits; read residual() instead");
        }
        return output;
    }

    /** The residual stream entering the layer the pass stopped at. */
    public NDArray residual() {
        if (stoppedAtLayer == null) {
            throw new ArrakisException("this pass ran to the end; read logits() instead");
        }
        return output;
    }

    public Optional<Integer> stoppedAtLayer() {
        return Optional.ofNullable(stoppedAtLayer);
    }

    /** The cached activations; empty unless the pass was asked to cache. */
    public ActivationCache cache() {
        return cache;
    }

    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}
