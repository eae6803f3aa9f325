package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.ArrakisException;
import dev.arrakis.util.DidYouMean;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Activations recorded at hook points during one forward pass, detached from autograd. The arrays live in the
 * cache's own memory scope and are freed together by {@link #close()}.
 *
 * <p>A cache can also be a view of some rows of another ({@link #rows}): a batched pass that ran many experiment
 * points side by side hands each point the rows that are its own. A view slices an activation the first time it is
 * read, into its own scope, and never outlives the cache it views.
 */
public final class ActivationCache implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> activations = new LinkedHashMap<>();
    /** The cache this one shows rows of, or null for a cache that a pass fills. */
    private final ActivationCache source;
    private final int fromRow;
    private final int toRow;

    public ActivationCache(NDManager manager) {
        this(manager, null, 0, 0);
    }

    private ActivationCache(NDManager manager, ActivationCache source, int fromRow, int toRow) {
        this.manager = manager;
        this.source = source;
        this.fromRow = fromRow;
        this.toRow = toRow;
    }

    void put(String hookName, NDArray activation) {
        if (source != null) {
            throw new IllegalStateException("a row view of a cache is read-only");
        }
        // reduced-precision passes cache f32 copies, so every reader sees one dtype
        NDArray detached = activation.getDataType() == DataType.FLOAT16
                ? activation.stopGradient().toType(DataType.FLOAT32, false)
                : activation.stopGradient();
        detached.attach(manager);
        NDArray previous = activations.put(hookName, detached);
        if (previous != null) {
            previous.close();
        }
    }

    /** The activation cached under that hook name; an unknown name fails with the nearest cached names. */
    public NDArray get(String hookName) {
        NDArray activation = activations.get(hookName);
        if (activation != null) {
            return activation;
        }
        if (source != null) {
            NDArray rows = source.get(hookName).get(manager, new NDIndex("{}:{}", fromRow, toRow));
            activations.put(hookName, rows);
            return rows;
        }
        throw new ArrakisException("'" + hookName + "' is not in this cache (" + activations.size()
                + " activations cached)" + DidYouMean.hint(hookName, activations.keySet()));
    }

    /**
     * The activation at a typed hook point, as its type: {@code cache.get(hooks.blocks(1).attn().pattern())} is an
     * {@link AttentionPattern}.
     */
    public <A> A get(TypedHook<A> hook) {
        return Activations.wrap(hook.type(), get(hook.name()));
    }

    public boolean contains(String hookName) {
        return source != null ? source.contains(hookName) : activations.containsKey(hookName);
    }

    /** Cached hook names in forward order. */
    public Set<String> names() {
        return source != null ? source.names() : Collections.unmodifiableSet(activations.keySet());
    }

    public int size() {
        return source != null ? source.size() : activations.size();
    }

    /**
     * A read-only view of rows {@code fromRow} (inclusive) to {@code toRow} (exclusive) of every activation. Its
     * slices live in a sub-scope of {@code scope}, freed when the view or {@code scope} closes; the view must not be
     * read after this cache closes.
     */
    public ActivationCache rows(int fromRow, int toRow, NDManager scope) {
        if (fromRow < 0 || toRow <= fromRow) {
            throw new IllegalArgumentException("rows " + fromRow + ".." + toRow + " select nothing");
        }
        return new ActivationCache(scope.newSubManager(), this, fromRow, toRow);
    }

    @Override
    public void close() {
        manager.close();
        activations.clear();
    }
}
