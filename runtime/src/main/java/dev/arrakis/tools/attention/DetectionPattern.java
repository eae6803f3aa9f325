package dev.arrakis.tools.attention;

import dev.arrakis.ArrakisException;
import java.util.Objects;
import java.util.function.Function;

/**
 * The attention a kind of head is expected to pay: a 0/1 (or weighted) {@code [query][key]} matrix per sequence,
 * lower triangular because a query sees only itself and earlier keys. The three named patterns are those of
 * TransformerLens's {@code head_detector.py}, built the same way from the sequence's tokens.
 */
public final class DetectionPattern {
    /** Query {@code i} attends to key {@code i - 1}. TransformerLens: {@code previous_token_head}. */
    public static final DetectionPattern PREVIOUS_TOKEN =
            new DetectionPattern("previous_token_head", DetectionPattern::previousToken);
    /** Query {@code i} attends to every earlier key {@code j < i} with the same token. {@code duplicate_token_head}. */
    public static final DetectionPattern DUPLICATE_TOKEN =
            new DetectionPattern("duplicate_token_head", DetectionPattern::duplicateToken);
    /**
     * Query {@code i} attends to key {@code j} when token {@code j - 1} equals token {@code i} and {@code j - 1 < i}:
     * the token that followed an earlier copy of the current one. {@code induction_head}.
     */
    public static final DetectionPattern INDUCTION =
            new DetectionPattern("induction_head", DetectionPattern::induction);

    private final String name;
    private final Function<long[], double[][]> builder;

    private DetectionPattern(String name, Function<long[], double[][]> builder) {
        this.name = name;
        this.builder = builder;
    }

    /**
     * A pattern fixed in advance, for sequences of exactly its size (TransformerLens's tensor
     * {@code detection_pattern}).
     *
     * @throws ArrakisException when it is not square or has a weight above the diagonal
     */
    public static DetectionPattern fixed(String name, double[][] pattern) {
        Objects.requireNonNull(name, "name");
        int size = pattern.length;
        double[][] copy = new double[size][];
        for (int query = 0; query < size; query++) {
            if (pattern[query].length != size) {
                throw new ArrakisException("detection pattern '" + name + "' must be square: row " + query + " has "
                        + pattern[query].length + " keys for " + size + " queries");
            }
            for (int key = query + 1; key < size; key++) {
                if (pattern[query][key] != 0) {
                    throw new ArrakisException("detection pattern '" + name + "' must be lower triangular (a query"
                            + " sees no later key) but [" + query + "][" + key + "] is " + pattern[query][key]);
                }
            }
            copy[query] = pattern[query].clone();
        }
        return new DetectionPattern(name, tokens -> {
            if (tokens.length != size) {
                throw new ArrakisException("detection pattern '" + name + "' is " + size + "x" + size
                        + " but the sequence has " + tokens.length + " tokens");
            }
            return copy;
        });
    }

    public String name() {
        return name;
    }

    /** The pattern for one sequence, {@code [query][key]}. */
    public double[][] forTokens(long[] tokens) {
        return builder.apply(tokens);
    }

    private static double[][] previousToken(long[] tokens) {
        double[][] pattern = new double[tokens.length][tokens.length];
        for (int query = 1; query < tokens.length; query++) {
            pattern[query][query - 1] = 1;
        }
        return pattern;
    }

    private static double[][] duplicateToken(long[] tokens) {
        double[][] pattern = new double[tokens.length][tokens.length];
        for (int query = 0; query < tokens.length; query++) {
            for (int key = 0; key < query; key++) {
                pattern[query][key] = tokens[key] == tokens[query] ? 1 : 0;
            }
        }
        return pattern;
    }

    private static double[][] induction(long[] tokens) {
        double[][] pattern = new double[tokens.length][tokens.length];
        for (int query = 0; query < tokens.length; query++) {
            // key 0 has no predecessor; TransformerLens zeroes that column after shifting the duplicate pattern
            for (int key = 1; key <= query; key++) {
                pattern[query][key] = tokens[key - 1] == tokens[query] && key - 1 < query ? 1 : 0;
            }
        }
        return pattern;
    }

    @Override
    public String toString() {
        return name;
    }
}
