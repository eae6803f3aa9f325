package dev.arrakis.tools.attention;

import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.Analyses;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import java.util.ArrayList;
import java.util.List;

/**
 * One layer's cached attention pattern copied to the Java heap, read per row over the row's attended tokens only:
 * under left padding a row's real tokens are its last ones, and its pattern there is that of the row run alone.
 */
final class LayerPatterns {
    private final float[] weights;
    private final int heads;
    private final int positions;
    private final TokenBatch tokens;

    private LayerPatterns(float[] weights, int heads, int positions, TokenBatch tokens) {
        this.weights = weights;
        this.heads = heads;
        this.positions = positions;
        this.tokens = tokens;
    }

    /** Every layer's {@code hook_pattern}, the hooks the attention tools read. */
    static List<String> hooks(HookPoints points) {
        return Analyses.attentionPatternHooks(points).stream().map(HookPoint::name).toList();
    }

    /** The layer's {@code hook_pattern}, or an error naming the layers there are. */
    static String hookName(HookPoints points, int layer) {
        if (layer < 0 || layer >= points.config().layers()) {
            throw new ArrakisException("layer " + layer + " does not exist: the model has layers 0.."
                    + (points.config().layers() - 1));
        }
        return points.block(layer).pattern().name();
    }

    static LayerPatterns read(ActivationCache cache, HookPoints points, int layer, TokenBatch tokens) {
        return of(new AttentionPattern(cache.get(hookName(points, layer))), tokens);
    }

    static LayerPatterns of(AttentionPattern pattern, TokenBatch tokens) {
        long[] shape = pattern.shape();
        if (shape[0] != tokens.batchSize() || shape[2] != tokens.sequenceLength()) {
            throw new ArrakisException("the attention pattern " + pattern + " is not of this token batch ("
                    + tokens.batchSize() + " rows of " + tokens.sequenceLength() + " tokens)");
        }
        return new LayerPatterns(pattern.toFloatArray(), (int) shape[1], (int) shape[2], tokens);
    }

    int heads() {
        return heads;
    }

    int rows() {
        return tokens.batchSize();
    }

    /** The index of the row's first real token: 0 without padding. */
    int firstAttended(int row) {
        int first = 0;
        while (!tokens.attended(row, first)) {
            first++;
        }
        return first;
    }

    /** The row's real tokens. */
    long[] attendedTokens(int row) {
        int first = firstAttended(row);
        long[] ids = new long[positions - first];
        for (int position = first; position < positions; position++) {
            ids[position - first] = tokens.token(row, position);
        }
        return ids;
    }

    /** {@code [query][key]} over the row's real tokens, as doubles. */
    double[][] matrix(int row, int head) {
        int first = firstAttended(row);
        int size = positions - first;
        double[][] matrix = new double[size][size];
        int base = (row * heads + head) * positions * positions;
        for (int query = 0; query < size; query++) {
            for (int key = 0; key < size; key++) {
                matrix[query][key] = weights[base + (first + query) * positions + first + key];
            }
        }
        return matrix;
    }
}
