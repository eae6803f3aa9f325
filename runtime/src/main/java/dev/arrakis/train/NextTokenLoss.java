package dev.arrakis.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.TokenBatch;

/**
 * Next-token cross-entropy: the logits at position {@code p} are scored against the token at {@code p + 1}, so a
 * sequence of {@code n} tokens gives {@code n - 1} losses. Results live in the logits' manager and are differentiable.
 */
public final class NextTokenLoss {
    private NextTokenLoss() {}

    /**
     * {@code -log softmax(logits[b, p])[token[b, p + 1]]} for every row and every position but the last.
     *
     * @param logits {@code [batch, pos, d_vocab]}
     * @return {@code [batch, pos - 1]}
     */
    public static NDArray perPosition(NDArray logits, TokenBatch batch) {
        int rows = batch.batchSize();
        int predicted = batch.sequenceLength() - 1;
        if (predicted < 1) {
            throw new IllegalArgumentException("next-token loss needs sequences of at least 2 tokens, got "
                    + batch.sequenceLength());
        }
        if (batch.hasPadding()) {
            throw new IllegalArgumentException("next-token loss is for unpadded batches: padding would be scored");
        }
        long vocab = logits.getShape().get(2);
        long[] targets = new long[rows * predicted];
        for (int row = 0; row < rows; row++) {
            for (int position = 0; position < predicted; position++) {
                targets[row * predicted + position] = batch.token(row, position + 1);
            }
        }
        NDArray logProbabilities = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1);
        NDArray chosen = logits.getManager().create(targets, new Shape(rows, predicted)).oneHot((int) vocab);
        return logProbabilities.mul(chosen).sum(new int[] {-1}).neg();
    }

    /** The mean of {@link #perPosition}: the scalar a training step minimises. */
    public static NDArray mean(NDArray logits, TokenBatch batch) {
        return perPosition(logits, batch).mean();
    }
}
