package dev.arrakis.tools.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.tools.ScopedArrays;
import dev.arrakis.tools.residual.ResidualStack;
import dev.arrakis.tools.residual.ResidualStream;
import java.util.Arrays;
import java.util.List;

/**
 * Direct logit attribution (TransformerLens's {@code logit_attrs}): each component of a residual stack, centred
 * (LayerNorm families) and divided by the final norm's cached scale ({@link FinalNorm#CACHED_SCALE}), dotted with the
 * answer token's residual direction {@code w_ln ⊙ W_U[:, answer]}, minus that of an incorrect token when one is given.
 * For a decomposition that sums to the final residual, the contributions sum to the answer's logit (or the logit
 * difference) less the final norm's bias term {@code b_ln · W_U[:, answer]}.
 *
 * <p>TransformerLens dots with {@code W_U[:, answer]} of a model whose norms are folded into {@code W_U}; on the
 * unfolded weights Arrakis loads, that direction is {@code w_ln ⊙ W_U[:, answer]}.
 */
public final class DirectLogitAttribution {
    private DirectLogitAttribution() {}

    /** The hook an attribution reads besides the stack's own: the final norm's scale. */
    public static List<String> requiredHooks(HookPoints points) {
        return List.of(points.lnFinal().scale().name());
    }

    /**
     * Contributions to {@code logit(answers[b][p])}, or to {@code logit(answers[b][p]) - logit(incorrect[b][p])}.
     *
     * @param stack components {@code [component, batch, pos, d_model]} that write into the final residual
     * @param answers one token per example and position, {@code [batch][pos]}
     * @param incorrect tokens of the same shape to subtract, or null
     */
    public static LogitAttribution attribute(ResidualStack stack, HookedTransformer model, ActivationCache cache,
            long[][] answers, long[][] incorrect) {
        long[] shape = stack.array().getShape().getShape();
        Vocabulary vocabulary = new Vocabulary(model);
        checkTokens("answers", answers, shape, vocabulary);
        if (incorrect != null) {
            checkTokens("incorrect tokens", incorrect, shape, vocabulary);
        }
        TransformerWeights weights = model.weights();
        try (NDManager scope = stack.array().getManager().newSubManager()) {
            ResidualStack scaled = ResidualStream.applyCachedNorm(stack, model, cache,
                    StreamPoint.end(model.config()), scope);
            // rows of [d_vocab, d_model]: each token's direction in the residual stream
            NDArray directions = ScopedArrays.weight(weights.unembedding(), scope).transpose()
                    .mul(ScopedArrays.weight(weights.lnFinalWeight(), scope));
            NDArray direction = tokenDirections(directions, answers, shape, scope);
            if (incorrect != null) {
                direction = direction.sub(tokenDirections(directions, incorrect, shape, scope));
            }
            float[] flat = scaled.array().mul(direction.expandDims(0)).sum(new int[] {-1}).toFloatArray();
            return new LogitAttribution(stack.labels(), unflatten(flat, shape));
        }
    }

    /**
     * As {@link #attribute(ResidualStack, HookedTransformer, ActivationCache, long[][], long[][])} with one answer
     * (and one incorrect token, or null) per example, the same at every position.
     */
    public static LogitAttribution attribute(ResidualStack stack, HookedTransformer model, ActivationCache cache,
            long[] answers, long[] incorrect) {
        int positions = Math.toIntExact(stack.array().getShape().get(2));
        return attribute(stack, model, cache, everyPosition(answers, positions),
                incorrect == null ? null : everyPosition(incorrect, positions));
    }

    private static long[][] everyPosition(long[] perExample, int positions) {
        return Arrays.stream(perExample).mapToObj(token -> {
            long[] row = new long[positions];
            Arrays.fill(row, token);
            return row;
        }).toArray(long[][]::new);
    }

    private static NDArray tokenDirections(NDArray directions, long[][] tokens, long[] shape, NDManager scope) {
        NDArray ids = scope.create(Arrays.stream(tokens).flatMapToLong(Arrays::stream).toArray(),
                new Shape(shape[1], shape[2]));
        return directions.get(new NDIndex("{}", ids));
    }

    private static void checkTokens(String what, long[][] tokens, long[] shape, Vocabulary vocabulary) {
        boolean fits = tokens.length == shape[1] && Arrays.stream(tokens).allMatch(row -> row.length == shape[2]);
        if (!fits) {
            throw new LensException(what + " must be " + shape[1] + " rows of " + shape[2]
                    + " tokens, one per example and position of the stack; got " + tokens.length + " rows of "
                    + Arrays.toString(Arrays.stream(tokens).mapToInt(row -> row.length).distinct().toArray()));
        }
        for (long[] row : tokens) {
            for (long token : row) {
                vocabulary.check(token, what.substring(0, what.length() - 1));
            }
        }
    }

    private static float[][][] unflatten(float[] flat, long[] shape) {
        int components = (int) shape[0];
        int batch = (int) shape[1];
        int positions = (int) shape[2];
        float[][][] values = new float[components][batch][positions];
        for (int c = 0; c < components; c++) {
            for (int b = 0; b < batch; b++) {
                System.arraycopy(flat, (c * batch + b) * positions, values[c][b], 0, positions);
            }
        }
        return values;
    }
}
