package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** Attention scores or pattern, {@code [batch, head, query_pos, key_pos]}. */
public final class AttentionPattern extends Activation {

    public AttentionPattern(NDArray array) {
        super(array, 4);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.ATTENTION;
    }

    /** One head's pattern for every example, {@code [batch, query_pos, key_pos]}. */
    public NDArray head(int head) {
        return select(1, head, "head");
    }

    /** One example's and one head's pattern as {@code [query][key]}. */
    public float[][] matrix(int batch, int head) {
        long[] shape = shape();
        if (batch < 0 || batch >= shape[0] || head < 0 || head >= shape[1]) {
            throw new IndexOutOfBoundsException("(" + batch + ", " + head + ") is outside " + this);
        }
        float[] flat;
        try (NDArray slice = array().get(batch, head)) {
            flat = slice.toFloatArray();
        }
        int keys = (int) shape[3];
        float[][] rows = new float[(int) shape[2]][];
        for (int query = 0; query < rows.length; query++) {
            rows[query] = java.util.Arrays.copyOfRange(flat, query * keys, (query + 1) * keys);
        }
        return rows;
    }
}
