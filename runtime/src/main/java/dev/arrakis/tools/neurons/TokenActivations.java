package dev.arrakis.tools.neurons;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.TokenBatch;

/**
 * A {@code [batch, pos, width]} activation (neurons, the residual stream, any hook with one vector per token) copied
 * to the Java heap with the token batch it came from, so that tools visit the real tokens only: padding is skipped.
 */
public final class TokenActivations {
    private final float[] values;
    private final int width;
    private final TokenBatch tokens;

    private TokenActivations(float[] values, int width, TokenBatch tokens) {
        this.values = values;
        this.width = width;
        this.tokens = tokens;
    }

    /**
     * @throws ArrakisException when the activation is not {@code [batch, pos, width]} for this batch
     */
    public static TokenActivations of(NDArray activation, TokenBatch tokens) {
        return new TokenActivations(activation.toFloatArray(), checkedWidth(activation, tokens), tokens);
    }

    /** The activation's width after checking that it is {@code [batch, pos, width]} for {@code tokens}. */
    static int checkedWidth(NDArray activation, TokenBatch tokens) {
        long[] shape = activation.getShape().getShape();
        if (shape.length != 3 || shape[0] != tokens.batchSize() || shape[1] != tokens.sequenceLength()) {
            throw new ArrakisException("the activation " + activation.getShape() + " is not [batch, pos, width] for "
                    + "the token batch of " + tokens.batchSize() + " rows of " + tokens.sequenceLength() + " tokens");
        }
        return Math.toIntExact(shape[2]);
    }

    public int width() {
        return width;
    }

    public TokenBatch tokens() {
        return tokens;
    }

    /** What a visitor of each real token receives. */
    @FunctionalInterface
    public interface TokenVisitor {
        /**
         * @param values the whole activation, row-major; this token's vector is {@code values[offset .. offset +
         *     width)}
         */
        void visit(int row, int position, float[] values, int offset);
    }

    /** Visits every real token in row-major order. */
    public void forEachToken(TokenVisitor visitor) {
        int positions = tokens.sequenceLength();
        for (int row = 0; row < tokens.batchSize(); row++) {
            for (int position = 0; position < positions; position++) {
                if (tokens.attended(row, position)) {
                    visitor.visit(row, position, values, (row * positions + position) * width);
                }
            }
        }
    }
}
