package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.TokenBatch;

/**
 * A scalar computed from the logits {@code [batch, pos, d_vocab]} with NDArray ops, so that autograd can
 * differentiate it: what a gradient, an attribution or an attribution-patching estimate is taken of. Arrays it creates
 * belong in {@code logits.getManager()} (freed with the pass); numbers it multiplies by must be NDArrays made there,
 * not Java floats, because DJL frees the Java buffer of {@code x.mul(0.5f)} before the backward pass reads it.
 */
@FunctionalInterface
public interface LogitMetric {

    /** The metric: a scalar ({@code shape ()} or a single element) that depends on the logits. */
    NDArray apply(NDArray logits);

    /**
     * Mean over rows of {@code logit(correct[r]) - logit(incorrect[r])} at the last position: the logit difference
     * of IOI-style experiments.
     */
    static LogitMetric logitDifference(long[] correct, long[] incorrect) {
        long[] correctCopy = correct.clone();
        long[] incorrectCopy = incorrect.clone();
        return logits -> {
            NDArray last = lastPosition(logits);
            NDArray weights = oneHot(last, correctCopy, 1f, "correct").add(oneHot(last, incorrectCopy, -1f,
                    "incorrect"));
            return last.mul(weights).sum().div(weightOf(last, correctCopy.length));
        };
    }

    /** Mean over rows of {@code log softmax(logits)[answer[r]]} at the last position. */
    static LogitMetric answerLogProb(long[] answers) {
        long[] copy = answers.clone();
        return logits -> {
            NDArray last = lastPosition(logits);
            return last.logSoftmax(-1).mul(oneHot(last, copy, 1f, "answer")).sum().div(weightOf(last, copy.length));
        };
    }

    /**
     * Mean log-probability of each row's own next token at positions {@code fromPosition .. pos-2}: the score of a
     * repeated half that an induction circuit predicts. {@code targets} are the tokens to predict (e.g. the clean
     * run's when scoring a corrupted run), of the logits' shape.
     */
    static LogitMetric nextTokenLogProb(TokenBatch targets, int fromPosition) {
        int rows = targets.batchSize();
        int length = targets.sequenceLength();
        if (fromPosition < 0 || fromPosition >= length - 1) {
            throw new ArrakisException("nextTokenLogProb scores positions " + fromPosition + ".." + (length - 2)
                    + ", which is none of a sequence of " + length + " tokens");
        }
        int scored = length - 1 - fromPosition;
        long[][] next = new long[rows][scored];
        for (int row = 0; row < rows; row++) {
            for (int i = 0; i < scored; i++) {
                next[row][i] = targets.token(row, fromPosition + 1 + i);
            }
        }
        return logits -> {
            Shape shape = logits.getShape();
            if (shape.get(0) != rows || shape.get(1) != length) {
                throw new ArrakisException("nextTokenLogProb was made for " + rows + " rows of " + length
                        + " tokens but the logits are " + shape);
            }
            int vocab = (int) shape.get(2);
            float[] weights = new float[rows * scored * vocab];
            for (int row = 0; row < rows; row++) {
                for (int i = 0; i < scored; i++) {
                    weights[(row * scored + i) * vocab + (int) next[row][i]] = 1f;
                }
            }
            NDArray scoredLogits = f32(logits).get(new NDIndex(":, {}:{}, :", fromPosition, length - 1));
            NDArray mask = libtorchOwned(logits, weights, new Shape(rows, scored, vocab));
            return scoredLogits.logSoftmax(-1).mul(mask).sum().div(weightOf(scoredLogits, rows * scored));
        };
    }

    private static NDArray lastPosition(NDArray logits) {
        return f32(logits).get(new NDIndex(":, -1, :"));
    }

    private static NDArray f32(NDArray logits) {
        return logits.getDataType() == DataType.FLOAT32 ? logits : logits.toType(DataType.FLOAT32, false);
    }

    /** {@code [batch, d_vocab]} with {@code value} at each row's token. */
    private static NDArray oneHot(NDArray last, long[] tokens, float value, String what) {
        long rows = last.getShape().get(0);
        int vocab = (int) last.getShape().get(1);
        if (tokens.length != rows) {
            throw new ArrakisException("the metric has " + tokens.length + " " + what + " tokens but the batch has "
                    + rows + " rows");
        }
        float[] weights = new float[(int) rows * vocab];
        for (int row = 0; row < rows; row++) {
            if (tokens[row] < 0 || tokens[row] >= vocab) {
                throw new ArrakisException(what + " token " + tokens[row] + " of row " + row
                        + " is outside the vocabulary (0.." + (vocab - 1) + ")");
            }
            weights[row * vocab + (int) tokens[row]] = value;
        }
        return libtorchOwned(last, weights, last.getShape());
    }

    private static NDArray weightOf(NDArray like, int count) {
        return like.getManager().full(new Shape(), count, DataType.FLOAT32);
    }

    /** Autograd keeps the factors of a product for the backward pass; a copy in libtorch's memory outlives DJL's. */
    private static NDArray libtorchOwned(NDArray like, float[] values, Shape shape) {
        try (NDArray javaBacked = like.getManager().create(values, shape)) {
            return javaBacked.duplicate();
        }
    }
}
