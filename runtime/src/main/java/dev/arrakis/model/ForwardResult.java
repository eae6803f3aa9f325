package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.Logits;
import java.util.Optional;

/**
 * What one forward pass produced: logits {@code [batch, pos, d_vocab]} (or, when it stopped early, the residual
 * stream {@code [batch, pos, d_model]}) and the activations it cached. Owns their native memory: close it.
 *
 * <p>The logits are computed on demand from the final norm's output: {@link #lazyLogits()} unembeds only the rows
 * read, {@link #logits()} every row, once.
 */
public final class ForwardResult implements AutoCloseable {
    private final NDManager manager;
    private final Logits logits;
    private final NDArray residual;
    private final Integer stoppedAtLayer;
    private final ActivationCache cache;

    private ForwardResult(NDManager manager, Logits logits, NDArray residual, Integer stoppedAtLayer,
            ActivationCache cache) {
        this.manager = manager;
        this.logits = logits;
        this.residual = residual;
        this.stoppedAtLayer = stoppedAtLayer;
        this.cache = cache;
    }

    static ForwardResult unembedded(NDManager manager, Logits logits, ActivationCache cache) {
        return new ForwardResult(manager, logits, null, null, cache);
    }

    static ForwardResult stopped(NDManager manager, NDArray residual, int layer, ActivationCache cache) {
        return new ForwardResult(manager, null, residual, layer, cache);
    }

    /** Every logit {@code [batch, pos, d_vocab]}, unembedded on the first call. */
    public NDArray logits() {
        return lazyLogits().array();
    }

    /** The logits, unembedding only the rows read (see {@link Logits}). */
    public Logits lazyLogits() {
        if (stoppedAtLayer != null) {
            throw new ArrakisException("this pass stopped at layer " + stoppedAtLayer
                    + " and has no logits; read residual() instead");
        }
        return logits;
    }

    /** The residual stream entering the layer the pass stopped at. */
    public NDArray residual() {
        if (stoppedAtLayer == null) {
            throw new ArrakisException("this pass ran to the end; read logits() instead");
        }
        return residual;
    }

    public Optional<Integer> stoppedAtLayer() {
        return Optional.ofNullable(stoppedAtLayer);
    }

    /** The cached activations; empty unless the pass was asked to cache. */
    public ActivationCache cache() {
        return cache;
    }

    /** A scope for arrays derived from this result, closed with it at the latest. */
    public NDManager newScope() {
        return manager.newSubManager();
    }

    @Override
    public void close() {
        cache.close();
        manager.close();
    }
}
