package dev.arrakis.tools.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.ScopedArrays;

/**
 * Cross-entropy of each next token, as TransformerLens's {@code loss_fn}: position {@code p} predicts token
 * {@code p + 1}, so a row of {@code n} tokens has {@code n - 1} losses. With left padding, a prediction counts only
 * when both its position and the next are attended; the others are 0 and left out of the mean.
 */
public final class NextTokenLoss {
    private NextTokenLoss() {}

    /** {@code -log p(token[p + 1] | ..token[p])}, {@code [batch][pos - 1]}. */
    public static float[][] perToken(NDArray logits, TokenBatch tokens) {
        long[] shape = logits.getShape().getShape();
        if (shape.length != 3 || shape[0] != tokens.batchSize() || shape[1] != tokens.sequenceLength()) {
            throw new LensException("logits " + logits.getShape() + " do not belong to a batch of "
                    + tokens.batchSize() + " rows of " + tokens.sequenceLength() + " tokens");
        }
        int batch = tokens.batchSize();
        int predictions = tokens.sequenceLength() - 1;
        float[][] losses = new float[batch][predictions];
        if (predictions == 0) {
            return losses;
        }
        try (NDManager scope = logits.getManager().newSubManager()) {
            long[] next = new long[batch * predictions];
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < predictions; p++) {
                    next[b * predictions + p] = tokens.token(b, p + 1);
                }
            }
            NDArray logProbs = ScopedArrays.view(logits, scope).get(new NDIndex(":, :-1")).logSoftmax(-1);
            float[] picked = logProbs.gather(scope.create(next, new Shape(batch, predictions, 1)), -1).toFloatArray();
            for (int b = 0; b < batch; b++) {
                for (int p = 0; p < predictions; p++) {
                    boolean counted = tokens.attended(b, p) && tokens.attended(b, p + 1);
                    losses[b][p] = counted ? -picked[b * predictions + p] : 0f;
                }
            }
        }
        return losses;
    }

    /** The mean of {@link #perToken} over the predictions that count. */
    public static double mean(NDArray logits, TokenBatch tokens) {
        float[][] losses = perToken(logits, tokens);
        double sum = 0;
        int counted = 0;
        for (int b = 0; b < losses.length; b++) {
            for (int p = 0; p < losses[b].length; p++) {
                if (tokens.attended(b, p) && tokens.attended(b, p + 1)) {
                    sum += losses[b][p];
                    counted++;
                }
            }
        }
        if (counted == 0) {
            throw new LensException("no prediction to average: every row has fewer than two attended tokens");
        }
        return sum / counted;
    }
}
