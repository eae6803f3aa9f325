package dev.arrakis.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Addition modulo {@code p}, the task on which Nanda et al. (2023, "Progress measures for grokking via mechanistic
 * interpretability") watched a one-layer transformer first memorise its training pairs and, much later, generalise
 * with a Fourier algorithm. A row is the three tokens {@code a b =}, with {@code a} and {@code b} in
 * {@code 0 .. p - 1} and {@code =} the token {@code p}; the model is scored only on its prediction at {@code =},
 * whose answer is {@code (a + b) mod p}. The answer is not a token of the row: {@link #answerLoss} recomputes it from
 * {@code a} and {@code b}.
 *
 * <p>All {@code p * p} ordered pairs are split once, by a seeded shuffle, into a training share and a held-out rest;
 * training is full-batch on the training pairs, as in the paper.
 *
 * @param modulus {@code p}
 * @param trainFraction the share of the {@code p * p} pairs trained on
 * @param splitSeed seed of the shuffle that splits the pairs
 */
public record ModularAdditionTask(int modulus, double trainFraction, long splitSeed) {

    /** {@code a b =}: the prediction at the third token is scored. */
    public static final int SEQUENCE_LENGTH = 3;

    public ModularAdditionTask {
        if (modulus < 2) {
            throw new IllegalArgumentException("the modulus p must be at least 2, got " + modulus);
        }
        long pairs = (long) modulus * modulus;
        long training = Math.round(trainFraction * pairs);
        if (!(trainFraction > 0 && trainFraction < 1) || training < 1 || training >= pairs) {
            throw new IllegalArgumentException("trainFraction must leave at least one pair to train on and one to"
                    + " hold out of p * p = " + pairs + ", got " + trainFraction);
        }
    }

    /** The token {@code =} that ends every row: {@code p}, one past the numbers. */
    public int equalsToken() {
        return modulus;
    }

    /** Tokens {@code 0 .. p}: the numbers and {@code =}. */
    public int vocabSize() {
        return modulus + 1;
    }

    /** The answer to a row. */
    public int answer(int a, int b) {
        return (a + b) % modulus;
    }

    /** The pairs {@code {a, b}} trained on, in the shuffled order. */
    public List<int[]> trainPairs() {
        List<int[]> shuffled = shuffledPairs();
        return shuffled.subList(0, trainingCount());
    }

    /** The pairs held out: every pair not in {@link #trainPairs()}. */
    public List<int[]> testPairs() {
        List<int[]> shuffled = shuffledPairs();
        return shuffled.subList(trainingCount(), shuffled.size());
    }

    private int trainingCount() {
        return (int) Math.round(trainFraction * modulus * modulus);
    }

    /** Every pair, {@code a} major, shuffled by {@link Collections#shuffle(List, Random)} with the split seed. */
    private List<int[]> shuffledPairs() {
        List<int[]> pairs = new ArrayList<>(modulus * modulus);
        for (int a = 0; a < modulus; a++) {
            for (int b = 0; b < modulus; b++) {
                pairs.add(new int[] {a, b});
            }
        }
        Collections.shuffle(pairs, new Random(splitSeed));
        return pairs;
    }

    /** The rows {@code a b =} of these pairs, in order. */
    public TokenBatch rows(List<int[]> pairs) {
        long[][] rows = new long[pairs.size()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new long[] {pairs.get(i)[0], pairs.get(i)[1], equalsToken()};
        }
        return TokenBatch.of(rows);
    }

    /** Full-batch training: every step sees all the training pairs. */
    public TrainingData fullBatch() {
        TokenBatch batch = rows(trainPairs());
        return () -> batch;
    }

    /**
     * The mean cross-entropy of each row's answer at its last position, differentiable: what {@code Trainer} minimises
     * for this task ({@code Trainer.builder().loss(task::answerLoss)}). The other positions are not scored: {@code b}
     * cannot be predicted from {@code a}, and {@code =} always follows.
     */
    public NDArray answerLoss(NDArray logits, TokenBatch batch) {
        long[] shape = logits.getShape().getShape();
        if (shape.length != 3 || shape[0] != batch.batchSize() || shape[1] != SEQUENCE_LENGTH
                || batch.sequenceLength() != SEQUENCE_LENGTH) {
            throw new IllegalArgumentException("modular addition scores rows of " + SEQUENCE_LENGTH
                    + " tokens (a b =); got logits " + logits.getShape() + " for a batch of " + batch.batchSize()
                    + " rows of " + batch.sequenceLength());
        }
        long[] answers = new long[batch.batchSize()];
        for (int row = 0; row < answers.length; row++) {
            answers[row] = answer((int) batch.token(row, 0), (int) batch.token(row, 1));
        }
        NDManager manager = logits.getManager();
        // oneHot makes a libtorch-owned array, which autograd may keep for the backward pass (see NextTokenLoss)
        NDArray chosen = manager.create(answers, new Shape(answers.length)).oneHot((int) shape[2]);
        NDArray logProbabilities = logits.get(new NDIndex(":, -1, :")).logSoftmax(-1);
        return logProbabilities.mul(chosen).sum(new int[] {-1}).neg().mean();
    }

    /** Loss and accuracy on the training pairs and on the held-out pairs, without gradients. */
    public Scores score(HookedTransformer model) {
        Split train = split(model, trainPairs());
        Split test = split(model, testPairs());
        return new Scores(train.loss, test.loss, train.accuracy, test.accuracy);
    }

    private record Split(double loss, double accuracy) {}

    private Split split(HookedTransformer model, List<int[]> pairs) {
        TokenBatch batch = rows(pairs);
        float[] lastLogits;
        int vocab;
        try (ForwardResult result = model.forward(batch)) {
            vocab = (int) result.logits().getShape().get(2);
            try (NDArray last = result.logits().get(new NDIndex(":, -1, :"))) {
                lastLogits = last.toFloatArray();
            }
        }
        double lossSum = 0;
        int correct = 0;
        for (int row = 0; row < pairs.size(); row++) {
            int at = row * vocab;
            int best = 0;
            double max = Double.NEGATIVE_INFINITY;
            for (int token = 0; token < vocab; token++) {
                if (lastLogits[at + token] > max) {
                    max = lastLogits[at + token];
                    best = token;
                }
            }
            double sum = 0;
            for (int token = 0; token < vocab; token++) {
                sum += Math.exp(lastLogits[at + token] - max);
            }
            int answer = answer(pairs.get(row)[0], pairs.get(row)[1]);
            lossSum += max + Math.log(sum) - lastLogits[at + answer];
            if (best == answer) {
                correct++;
            }
        }
        return new Split(lossSum / pairs.size(), (double) correct / pairs.size());
    }

    /**
     * How well a model adds: the mean cross-entropy of the answer (nats) and the share of rows whose most likely
     * token is the answer, on the training pairs and on the held-out pairs. Memorising shows as train accuracy 1
     * with test accuracy near {@code 1 / p}; grokking as test accuracy rising to 1 long after.
     */
    public record Scores(double trainLoss, double testLoss, double trainAccuracy, double testAccuracy) {

        /** The scores by name, in this order, for {@link Trainer.Builder#evaluateEvery}. */
        public Map<String, Double> asMetrics() {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put(TRAIN_LOSS, trainLoss);
            metrics.put(TEST_LOSS, testLoss);
            metrics.put(TRAIN_ACCURACY, trainAccuracy);
            metrics.put(TEST_ACCURACY, testAccuracy);
            return metrics;
        }
    }

    /** Metric names of {@link Scores#asMetrics()}. */
    public static final String TRAIN_LOSS = "train loss";
    public static final String TEST_LOSS = "test loss";
    public static final String TRAIN_ACCURACY = "train accuracy";
    public static final String TEST_ACCURACY = "test accuracy";
}
