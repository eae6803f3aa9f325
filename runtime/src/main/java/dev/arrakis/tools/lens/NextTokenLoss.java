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
 * when both its position and the next are attended; the others are 0 and left out of the mean. The array forms are
 * differentiable, so training minimises the same loss that analyses read ({@code dev.arrakis.train}).
 */
public final class NextTokenLoss {
    private NextTokenLoss() {}

    /**
     * {@code -log p(token[p + 1] | ..token[p])}, {@code [batch, pos - 1]}, in the logits' manager and differentiable;
     * 0 where the prediction does not count.
     */
    public static NDArray perPosition(NDArray logits, TokenBatch tokens) {
        long[] shape = logits.getShape().getShape();
        if (shape.length != 3 || shape[0] != tokens.batchSize() || shape[1] != tokens.sequenceLength()) {
            throw new LensException("logits " + logits.getShape() + " do not belong to a batch of "
                    + tokens.batchSize() + " rows of " + tokens.sequenceLength() + " tokens");
        }
        int batch = tokens.batchSize();
        int predictions = tokens.sequenceLength() - 1;
        if (predictions == 0) {
            throw new LensException("a next-token loss needs rows of at least 2 tokens, got 1");
        }
        long[] next = new long[batch * predictions];
        float[] counted = new float[batch * predictions];
        for (int b = 0; b < batch; b++) {
            for (int p = 0; p < predictions; p++) {
                next[b * predictions + p] = tokens.token(b, p + 1);
                counted[b * predictions + p] = tokens.attended(b, p) && tokens.attended(b, p + 1) ? 1f : 0f;
            }
        }
        NDManager manager = logits.getManager();
        Shape predicted = new Shape(batch, predictions);
        // one-hot and duplicate make libtorch-owned arrays: autograd keeps both for the backward pass, and DJL frees
        // the Java buffer behind an array it created from Java values once the op returns
        NDArray chosen = manager.create(next, predicted).oneHot((int) shape[2]);
        NDArray mask = manager.create(counted, predicted).duplicate();
        NDArray logProbabilities = logits.get(new NDIndex(":, :-1, :")).logSoftmax(-1);
        return logProbabilities.mul(chosen).sum(new int[] {-1}).neg().mul(mask);
    }

    /** The mean of {@link #perPosition} over the predictions that count, differentiable: what training minimises. */
    public static NDArray meanLoss(NDArray logits, TokenBatch tokens) {
        NDArray losses = perPosition(logits, tokens);
        return losses.sum().div(logits.getManager().full(new Shape(), counted(tokens)));
    }

    /** {@link #perPosition} as Java values, {@code [batch][pos - 1]}. */
    public static float[][] perToken(NDArray logits, TokenBatch tokens) {
        int predictions = tokens.sequenceLength() - 1;
        float[][] losses = new float[tokens.batchSize()][Math.max(0, predictions)];
        if (predictions == 0) {
            return losses;
        }
        try (NDManager scope = logits.getManager().newSubManager()) {
            float[] flat = perPosition(ScopedArrays.view(logits, scope), tokens).toFloatArray();
            for (int b = 0; b < losses.length; b++) {
                System.arraycopy(flat, b * predictions, losses[b], 0, predictions);
            }
        }
        return losses;
    }

    /** The mean of {@link #perToken} over the predictions that count. */
    public static double mean(NDArray logits, TokenBatch tokens) {
        counted(tokens);
        try (NDManager scope = logits.getManager().newSubManager()) {
            return meanLoss(ScopedArrays.view(logits, scope), tokens).getFloat();
        }
    }

    /** How many predictions count; a batch without any has no mean. */
    private static float counted(TokenBatch tokens) {
        int counted = 0;
        for (int b = 0; b < tokens.batchSize(); b++) {
            for (int p = 0; p + 1 < tokens.sequenceLength(); p++) {
                if (tokens.attended(b, p) && tokens.attended(b, p + 1)) {
                    counted++;
                }
            }
        }
        if (counted == 0) {
            throw new LensException("no prediction to average: every row has fewer than two attended tokens");
        }
        return counted;
    }
}
