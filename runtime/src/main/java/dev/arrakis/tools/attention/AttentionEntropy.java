package dev.arrakis.tools.attention;

import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.List;

/**
 * How spread out a head's attention is: the Shannon entropy of each query's attention distribution,
 * {@code H = -Σ_k p_k ln p_k} in nats, with {@code 0 ln 0 = 0}. 0 means the query attends to one key only; a query
 * at position {@code i} (counting from 0) that spreads its attention evenly reaches {@code ln(i + 1)}.
 */
public final class AttentionEntropy {
    private AttentionEntropy() {}

    /** The hooks to cache: every layer's attention pattern. */
    public static List<String> requiredHooks(HookPoints points) {
        return LayerPatterns.hooks(points);
    }

    /** The entropy of one distribution, in nats. */
    public static double entropy(double[] distribution) {
        double entropy = 0;
        for (double p : distribution) {
            if (p > 0) {
                entropy -= p * Math.log(p);
            }
        }
        return entropy;
    }

    /**
     * The entropy of every query of one layer, {@code [row][head][query]} over each row's real tokens: under left
     * padding row {@code r}'s query 0 is its first real token.
     */
    public static double[][][] perPosition(AttentionPattern pattern, TokenBatch tokens) {
        LayerPatterns patterns = LayerPatterns.of(pattern, tokens);
        double[][][] entropies = new double[patterns.rows()][patterns.heads()][];
        for (int row = 0; row < patterns.rows(); row++) {
            for (int head = 0; head < patterns.heads(); head++) {
                double[][] matrix = patterns.matrix(row, head);
                entropies[row][head] = new double[matrix.length];
                for (int query = 0; query < matrix.length; query++) {
                    entropies[row][head][query] = entropy(matrix[query]);
                }
            }
        }
        return entropies;
    }

    /** Every head's entropy averaged over all real queries of all rows, {@code [layer][head]}, in nats. */
    public static HeadScores perHead(ActivationCache cache, HookPoints points, TokenBatch tokens) {
        int layers = points.config().layers();
        double[][] means = new double[layers][];
        for (int layer = 0; layer < layers; layer++) {
            double[][][] entropies = perPosition(
                    new AttentionPattern(cache.get(points.block(layer).pattern().name())), tokens);
            int heads = entropies[0].length;
            means[layer] = new double[heads];
            for (int head = 0; head < heads; head++) {
                double sum = 0;
                int queries = 0;
                for (double[][] row : entropies) {
                    for (double value : row[head]) {
                        sum += value;
                        queries++;
                    }
                }
                means[layer][head] = sum / queries;
            }
        }
        return new HeadScores("attention entropy (nats, mean over queries)", means);
    }
}
