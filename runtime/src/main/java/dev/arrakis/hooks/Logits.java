package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.spec.ActivationKind;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * The unembedded output, {@code [batch, pos, d_vocab]}.
 *
 * <p>The logits of a forward pass are computed on demand from the final norm's output: the unembedding is about a
 * third of a GPT-2-small pass, yet most metrics read one position. {@link #at} and {@link #logitDiff} unembed only
 * the position they read, for every example at once (once; later reads reuse it): one product with the unembedding
 * matrix per position, since a product per example would read that matrix (154 MB on GPT-2) once per example, and
 * reading it, not the arithmetic, is what a few rows cost. {@link #rows} selects examples without unembedding
 * anything, and
 * {@link #array()} or {@link #toFloatArray()} unembed every row once, for a metric that needs them all.
 */
public final class Logits extends Activation {
    /** The final norm's output {@code [batch, pos, d_model]}; null for logits given as an array. */
    private final NDArray normalized;
    /** Final-norm rows {@code [..., d_model]} to their logits {@code [..., d_vocab]}, allocated with its input. */
    private final UnaryOperator<NDArray> unembedding;
    /** Final-norm rows and token ids to those tokens' logits {@code [..., tokens]}, allocated with the rows. */
    private final BiFunction<NDArray, long[], NDArray> tokenUnembedding;
    /** Logits of every example at each position read, {@code [example][token]}, by position. */
    private final Map<Integer, float[][]> positionsRead = new HashMap<>();
    private NDArray materialised;
    private long unembeddedRows;

    public Logits(NDArray array) {
        super(array, 3);
        this.normalized = null;
        this.unembedding = null;
        this.tokenUnembedding = null;
    }

    private Logits(NDArray normalized, long vocabSize, UnaryOperator<NDArray> unembedding,
            BiFunction<NDArray, long[], NDArray> tokenUnembedding) {
        super(new Shape(normalized.getShape().get(0), normalized.getShape().get(1), vocabSize), 3);
        this.normalized = normalized;
        this.unembedding = unembedding;
        this.tokenUnembedding = tokenUnembedding;
    }

    /**
     * Logits computed from the final norm's output row by row as they are read.
     *
     * @param normalized the final norm's output {@code [batch, pos, d_model]}; these logits live as long as it does
     * @param unembedding maps rows {@code [..., d_model]} to their logits {@code [..., d_vocab]} (unembedding, bias,
     *     soft-cap), allocating in its input's manager
     * @param tokenUnembedding the same for only the given tokens' logits {@code [..., tokens]}, what
     *     {@link #logitDiff} reads of a position not unembedded yet
     */
    public static Logits onDemand(NDArray normalized, long vocabSize, UnaryOperator<NDArray> unembedding,
            BiFunction<NDArray, long[], NDArray> tokenUnembedding) {
        return new Logits(normalized, vocabSize, unembedding, tokenUnembedding);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.LOGITS;
    }

    /** Every logit, unembedded once on first call when computed on demand; the array lives with the final norm's output. */
    @Override
    public NDArray array() {
        if (normalized == null) {
            return super.array();
        }
        if (materialised == null) {
            materialised = unembedding.apply(normalized);
            unembeddedRows += normalized.getShape().get(0) * normalized.getShape().get(1);
        }
        return materialised;
    }

    /** The logits over the vocabulary at one example and position; a negative position counts from the end. */
    public float[] at(int batch, int position) {
        if (normalized == null || materialised != null) {
            return vectorAt(batch, position);
        }
        int resolved = resolvePosition(batch, position);
        return positionsRead.computeIfAbsent(resolved, this::unembedPosition)[batch].clone();
    }

    /**
     * {@code logit(tokenA) - logit(tokenB)} at one example and position (negative counts from the end). On demand,
     * at a position not unembedded yet, only the two tokens' logits are computed: two columns of the unembedding
     * rather than all of them, which is most of what a sweep point's metric would otherwise cost.
     */
    public float logitDiff(int batch, int position, int tokenA, int tokenB) {
        long vocab = shape()[2];
        if (tokenA < 0 || tokenA >= vocab || tokenB < 0 || tokenB >= vocab) {
            throw new IndexOutOfBoundsException("tokens " + tokenA + " and " + tokenB + " must be in the vocabulary"
                    + " (0.." + (vocab - 1) + ")");
        }
        if (normalized != null && materialised == null) {
            int resolved = resolvePosition(batch, position);
            if (!positionsRead.containsKey(resolved)) {
                float[] pair = unembedTokens(batch, resolved, new long[] {tokenA, tokenB});
                return pair[0] - pair[1];
            }
        }
        float[] logits = at(batch, position);
        return logits[tokenA] - logits[tokenB];
    }

    /** One logit, {@code get(example, position, token)}; unembeds only that example's position when on demand. */
    @Override
    public float get(long... index) {
        if (normalized == null || materialised != null || index.length != 3) {
            return super.get(index);
        }
        float[] row = at(Math.toIntExact(index[0]), Math.toIntExact(index[1]));
        long token = index[2] < 0 ? row.length + index[2] : index[2];
        if (token < 0 || token >= row.length) {
            throw new IndexOutOfBoundsException("token " + index[2] + " is outside the vocabulary of " + this);
        }
        return row[(int) token];
    }

    /**
     * Examples {@code fromRow} (inclusive) to {@code toRow} (exclusive) as logits of their own, in {@code scope}:
     * on-demand logits stay on demand, so reading a position of them unembeds their examples' rows and no other's.
     */
    public Logits rows(int fromRow, int toRow, NDManager scope) {
        if (fromRow < 0 || toRow <= fromRow || toRow > batchSize()) {
            throw new IndexOutOfBoundsException("rows " + fromRow + ".." + toRow + " are not within " + this);
        }
        NDIndex rows = new NDIndex("{}:{}", fromRow, toRow);
        if (normalized == null || materialised != null) {
            return new Logits(array().get(scope, rows));
        }
        return new Logits(normalized.get(scope, rows), shape()[2], unembedding, tokenUnembedding);
    }

    /**
     * How many (example, position) rows these logits have unembedded so far: every example's row at each position
     * read, every row once when the whole array was read, none for logits given as an array.
     */
    public long unembeddedRows() {
        return unembeddedRows;
    }

    private float[] unembedTokens(int batch, int position, long[] tokens) {
        try (NDManager rowScope = normalized.getManager().newSubManager()) {
            NDArray row = normalized.get(rowScope, new NDIndex("{}:{}, {}:{}", batch, batch + 1, position,
                    position + 1));
            return tokenUnembedding.apply(row, tokens).toFloatArray();
        }
    }

    private float[][] unembedPosition(int position) {
        try (NDManager positionScope = normalized.getManager().newSubManager()) {
            NDArray column = normalized.get(positionScope, new NDIndex(":, {}:{}", position, position + 1));
            float[] values = unembedding.apply(column).toFloatArray();
            int examples = Math.toIntExact(shape()[0]);
            int vocab = Math.toIntExact(shape()[2]);
            float[][] byExample = new float[examples][];
            for (int example = 0; example < examples; example++) {
                byExample[example] = Arrays.copyOfRange(values, example * vocab, (example + 1) * vocab);
            }
            unembeddedRows += examples;
            return byExample;
        }
    }
}
