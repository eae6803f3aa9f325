package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.ArrakisException;
import java.util.Arrays;
import java.util.Collections;

/**
 * The keys and values of every layer for the tokens a batch has run so far, so that the next pass computes only the
 * new tokens (HF's {@code past_key_values}, TransformerLens's {@code HookedTransformerKeyValueCache}). Keys and values
 * are kept as the hooks left them, {@code [batch, pos, kv_head, d_head]}, keys BEFORE the rotary rotation as
 * TransformerLens caches them (so {@code hook_rot_k} sees every position each step, and an edit made at {@code hook_k}
 * is what later steps rotate); with them the attention mask of every past token, so each row's positions continue its
 * count of attended tokens, and the rotary angles each key was first rotated with, so a rotation that depends on the
 * sequence's length (dynamic NTK) keeps rotating old keys as HF's cached {@code generate} did when it stored them.
 *
 * <p>Made by {@link HookedTransformer#newKeyValueCache}; owns native memory: close it. A pass that fails leaves the
 * cache half-written, so it refuses further use. A {@link #prefix} is read-only: passes attend to it without
 * appending, so one base run's keys and values serve any number of resumed passes.
 */
public final class KeyValueCache implements AutoCloseable {
    private final NDManager manager;
    private final int batchSize;
    private final NDArray[] keys;
    private final NDArray[] values;
    private boolean[][] attended;
    private final long[] attendedCount;
    /** {@code [batch, length, rotary_dims]} in Java memory; null without rotary positions or before the first pass. */
    private RotaryAngles.Table keyAngles;
    private int pendingLayers;
    private boolean broken;
    /** A {@link #prefix}: passes read it and leave it as it was. */
    private boolean readOnly;
    /** The first layer a prefix holds keys and values of; 0 for a cache passes append to. */
    private int firstLayer;

    KeyValueCache(NDManager manager, int batchSize, int layers) {
        this.manager = manager;
        this.batchSize = batchSize;
        this.keys = new NDArray[layers];
        this.values = new NDArray[layers];
        this.attended = new boolean[batchSize][0];
        this.attendedCount = new long[batchSize];
    }

    /** How many positions (padding included) the cache holds. */
    public int length() {
        return attended[0].length;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Checks a pass may continue this cache with the batch, before it starts. */
    void checkContinues(TokenBatch batch, int layers) {
        if (broken) {
            throw new ArrakisException("this key/value cache was left half-written by a pass that failed; "
                    + "start a new one");
        }
        if (batch.batchSize() != batchSize) {
            throw new ArrakisException("the batch has " + batch.batchSize() + " rows but the key/value cache holds "
                    + batchSize);
        }
        if (readOnly && firstLayer > 0) {
            throw new ArrakisException("this key/value prefix holds layers " + firstLayer + ".." + (keys.length - 1)
                    + " only; a pass from the embedding needs every layer's (resume the pass at layer "
                    + firstLayer + " instead)");
        }
        if (layers != keys.length) {
            throw new ArrakisException("a pass with a key/value cache must run all " + keys.length
                    + " layers, not stop at layer " + layers);
        }
        if (length() > 0 && batch.hasPadding()) {
            for (int row = 0; row < batchSize; row++) {
                for (int p = 0; p < batch.sequenceLength(); p++) {
                    if (!batch.attended(row, p)) {
                        throw new ArrakisException("row " + row + " masks new position " + p
                                + "; only the first pass of a cache may have padding");
                    }
                }
            }
        }
        pendingLayers = keys.length;
        broken = !readOnly;
    }

    /** Checks a pass resumed at block {@code fromLayer} may read this prefix, before it starts. */
    void checkResumes(TokenBatch batch, int fromLayer) {
        if (!readOnly) {
            throw new ArrakisException("a resumed pass reads a key/value prefix (KeyValueCache.prefix) and leaves it"
                    + " as it is; this cache is one that passes append to");
        }
        if (fromLayer < firstLayer) {
            throw new ArrakisException("this key/value prefix holds layers " + firstLayer + ".." + (keys.length - 1)
                    + "; a pass resumed at layer " + fromLayer + " needs layer " + fromLayer + "'s too");
        }
        if (batch.batchSize() != batchSize) {
            throw new ArrakisException("the batch has " + batch.batchSize() + " rows but the key/value prefix holds "
                    + batchSize);
        }
        if (batch.hasPadding()) {
            throw new ArrakisException("a pass continuing a key/value prefix cannot carry padding");
        }
        pendingLayers = keys.length - fromLayer;
    }

    /**
     * A read-only copy of this cache's first {@code length} positions at layers {@code fromLayer} and after, each
     * row repeated {@code times} over (row {@code r} of copy {@code c} is row {@code c * batchSize + r}, as a sweep's
     * batched pass lays out its points): what a pass that computes only the later positions attends to, from
     * {@link HookedTransformer#resume} on. It lives inside this cache, so closing this cache closes it too.
     */
    public KeyValueCache prefix(int length, int times, int fromLayer) {
        if (broken || readOnly) {
            throw new ArrakisException(broken ? "this key/value cache was left half-written by a pass that failed"
                    : "a key/value prefix has no prefix of its own; take it from the cache it came from");
        }
        if (length < 1 || length > length()) {
            throw new ArrakisException("a key/value prefix of " + length + " positions does not exist in a cache of "
                    + length() + " positions");
        }
        if (times < 1 || fromLayer < 0 || fromLayer >= keys.length) {
            throw new ArrakisException("a key/value prefix needs at least one copy (not " + times
                    + ") and a layer in 0.." + (keys.length - 1) + " (not " + fromLayer + ")");
        }
        NDManager prefixManager = manager.newSubManager();
        KeyValueCache prefix = new KeyValueCache(prefixManager, batchSize * times, keys.length);
        prefix.readOnly = true;
        prefix.firstLayer = fromLayer;
        for (int layer = fromLayer; layer < keys.length; layer++) {
            prefix.keys[layer] = firstPositions(keys[layer], length, times, prefixManager);
            prefix.values[layer] = firstPositions(values[layer], length, times, prefixManager);
        }
        for (int copy = 0; copy < times; copy++) {
            for (int row = 0; row < batchSize; row++) {
                int into = copy * batchSize + row;
                prefix.attended[into] = Arrays.copyOf(attended[row], length);
                for (boolean on : prefix.attended[into]) {
                    prefix.attendedCount[into] += on ? 1 : 0;
                }
            }
        }
        if (keyAngles != null) {
            int dims = keyAngles.dimensions();
            int rowOfAll = length() * dims;
            int rowOfPrefix = length * dims;
            float[] cos = new float[batchSize * times * rowOfPrefix];
            float[] sin = new float[cos.length];
            for (int into = 0; into < batchSize * times; into++) {
                int from = (into % batchSize) * rowOfAll;
                System.arraycopy(keyAngles.cos(), from, cos, into * rowOfPrefix, rowOfPrefix);
                System.arraycopy(keyAngles.sin(), from, sin, into * rowOfPrefix, rowOfPrefix);
            }
            prefix.keyAngles = new RotaryAngles.Table(cos, sin, dims);
        }
        return prefix;
    }

    private static NDArray firstPositions(NDArray all, int length, int times, NDManager into) {
        NDArray first = all.get(new NDIndex(":, :{}", length));
        first.attach(into);
        if (times == 1) {
            return first;
        }
        NDArray repeated = NDArrays.concat(new NDList(Collections.nCopies(times, first)), 0);
        first.close();
        return repeated;
    }

    /** Each new token's position id: its row's count of attended tokens before it. */
    long[] positionsOf(TokenBatch batch) {
        int seq = batch.sequenceLength();
        long[] positions = new long[batchSize * seq];
        for (int row = 0; row < batchSize; row++) {
            long next = attendedCount[row];
            for (int p = 0; p < seq; p++) {
                positions[row * seq + p] = batch.attended(row, p) ? next++ : 0;
            }
        }
        return positions;
    }

    boolean hasPadding() {
        for (boolean[] row : attended) {
            for (boolean a : row) {
                if (!a) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The attention mask of the past and the new tokens, {@code [batch, length + new]} row-major, 1 = attend. */
    float[] keyMaskWith(TokenBatch batch) {
        int past = length();
        int total = past + batch.sequenceLength();
        float[] mask = new float[batchSize * total];
        for (int row = 0; row < batchSize; row++) {
            for (int p = 0; p < total; p++) {
                boolean on = p < past ? attended[row][p] : batch.attended(row, p - past);
                mask[row * total + p] = on ? 1f : 0f;
            }
        }
        return mask;
    }

    /** The rotary angles of the cached keys followed by those of a pass's new tokens, row by row. */
    RotaryAngles.Table keyAnglesWith(RotaryAngles.Table added) {
        return keyAngles == null ? added : keyAngles.followedBy(added, batchSize, length());
    }

    /**
     * Appends a layer's new keys and values and returns the whole sequence's, in the pass's scope; the cache keeps its
     * own copy (a read-only prefix keeps nothing).
     */
    NDArray[] append(int layer, NDArray newKeys, NDArray newValues, NDManager scope) {
        NDArray allKeys = concat(keys[layer], newKeys, scope);
        NDArray allValues = concat(values[layer], newValues, scope);
        if (readOnly) {
            pendingLayers--;
            return new NDArray[] {allKeys, allValues};
        }
        keys[layer] = keep(keys[layer], allKeys);
        values[layer] = keep(values[layer], allValues);
        pendingLayers--;
        return new NDArray[] {allKeys, allValues};
    }

    private static NDArray concat(NDArray past, NDArray added, NDManager scope) {
        if (past == null) {
            return added;
        }
        NDArray all = past.concat(added, 1);
        all.attach(scope);
        return all;
    }

    private NDArray keep(NDArray previous, NDArray all) {
        NDArray copy = all.duplicate();
        copy.attach(manager);
        if (previous != null) {
            previous.close();
        }
        return copy;
    }

    /**
     * Records the new tokens' mask once every layer has appended, and the rotary angles of every key so far (null
     * without rotary positions), as {@link #keyAnglesWith} gave them to the pass.
     */
    void advance(TokenBatch batch, RotaryAngles.Table allKeyAngles) {
        if (pendingLayers != 0) {
            throw new IllegalStateException(pendingLayers + " layers did not append to the key/value cache");
        }
        if (readOnly) {
            return;
        }
        int past = length();
        boolean[][] extended = new boolean[batchSize][];
        for (int row = 0; row < batchSize; row++) {
            extended[row] = Arrays.copyOf(attended[row], past + batch.sequenceLength());
            for (int p = 0; p < batch.sequenceLength(); p++) {
                extended[row][past + p] = batch.attended(row, p);
                attendedCount[row] += batch.attended(row, p) ? 1 : 0;
            }
        }
        attended = extended;
        keyAngles = allKeyAngles;
        broken = false;
    }

    @Override
    public void close() {
        manager.close();
    }
}
