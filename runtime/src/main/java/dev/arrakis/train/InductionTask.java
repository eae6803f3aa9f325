package dev.arrakis.train;

import ai.djl.ndarray.NDArray;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.lens.NextTokenLoss;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Sequences a model can only predict by induction: uniformly random tokens in which a random segment (the "half") is
 * immediately repeated, ending the sequence; tokens before the segment are random filler. A token in the repeat is
 * predicted by finding its previous occurrence and copying the token that followed it (Olsson et al. 2022).
 *
 * <p>When {@code shortestHalf == longestHalf == sequenceLength / 2} every sequence is one random half repeated
 * twice. Letting the half's length vary keeps the model from a positional shortcut: with a fixed length the answer
 * always sits the same distance back, which one layer can learn from position embeddings alone, without induction.
 *
 * @param vocabSize tokens are drawn uniformly from {@code 0 .. vocabSize - 1}
 * @param sequenceLength tokens per sequence
 * @param shortestHalf the shortest repeated segment
 * @param longestHalf the longest repeated segment, at most {@code sequenceLength / 2}
 */
public record InductionTask(int vocabSize, int sequenceLength, int shortestHalf, int longestHalf) {

    /** Olsson et al. measure in-context learning at token 500 against token 50 of 512; we scale that to our length. */
    private static final double OLSSON_EARLY = 50.0 / 512;

    public InductionTask {
        if (vocabSize < 2) {
            throw new IllegalArgumentException("vocabSize must be at least 2, got " + vocabSize);
        }
        if (shortestHalf < 2 || shortestHalf > longestHalf || 2 * longestHalf > sequenceLength) {
            throw new IllegalArgumentException("need 2 <= shortestHalf <= longestHalf <= sequenceLength / 2, got "
                    + "shortestHalf " + shortestHalf + ", longestHalf " + longestHalf + ", sequenceLength "
                    + sequenceLength);
        }
    }

    /** Every sequence one random half of {@code sequenceLength / 2} tokens, repeated twice. */
    public static InductionTask repeatedHalves(int vocabSize, int sequenceLength) {
        return new InductionTask(vocabSize, sequenceLength, sequenceLength / 2, sequenceLength / 2);
    }

    /** A seeded stream of batches: the same seed gives the same batches. */
    public Batches batches(int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be positive, got " + batchSize);
        }
        return new Batches(batchSize, new Random(seed));
    }

    /** Batches of this task, remembering where each row's repeat starts. */
    public final class Batches implements TrainingData {
        private final int batchSize;
        private final Random random;
        private int[] repeatStarts;

        private Batches(int batchSize, Random random) {
            this.batchSize = batchSize;
            this.random = random;
        }

        @Override
        public TokenBatch next() {
            long[][] rows = new long[batchSize][sequenceLength];
            repeatStarts = new int[batchSize];
            for (int row = 0; row < batchSize; row++) {
                int half = shortestHalf + random.nextInt(longestHalf - shortestHalf + 1);
                int repeatStart = sequenceLength - half;
                for (int position = 0; position < repeatStart; position++) {
                    rows[row][position] = random.nextInt(vocabSize);
                }
                System.arraycopy(rows[row], repeatStart - half, rows[row], repeatStart, half);
                repeatStarts[row] = repeatStart;
            }
            return TokenBatch.of(rows);
        }

        /** For each row of the batch {@link #next()} returned last, the position where its repeat starts. */
        public int[] repeatStarts() {
            if (repeatStarts == null) {
                throw new IllegalStateException("no batch drawn yet");
            }
            return repeatStarts.clone();
        }
    }

    /**
     * Scores a model on {@code sequences} fresh sequences from {@code seed}, without gradients.
     *
     * @see Scores
     */
    public Scores score(HookedTransformer model, int sequences, long seed) {
        Batches batches = batches(sequences, seed);
        TokenBatch batch = batches.next();
        int[] repeatStarts = batches.repeatStarts();
        float[] losses;
        try (ForwardResult result = model.forward(batch)) {
            NDArray perPosition = NextTokenLoss.perPosition(result.logits(), batch);
            losses = perPosition.toFloatArray();
        }
        int predicted = sequenceLength - 1;
        int early = earlyPosition();
        double firstSum = 0;
        double repeatSum = 0;
        double iclSum = 0;
        long firstCount = 0;
        long repeatCount = 0;
        for (int row = 0; row < sequences; row++) {
            int start = repeatStarts[row];
            // losses[p] scores the token at p + 1; the repeat's first token has nothing to copy and is in neither mean
            for (int position = 0; position < predicted; position++) {
                int target = position + 1;
                double loss = losses[row * predicted + position];
                if (target < start) {
                    firstSum += loss;
                    firstCount++;
                } else if (target > start) {
                    repeatSum += loss;
                    repeatCount++;
                }
            }
            iclSum += losses[row * predicted + predicted - 1] - losses[row * predicted + early - 1];
        }
        return new Scores(firstSum / firstCount, repeatSum / repeatCount, iclSum / sequences,
                Math.log(vocabSize));
    }

    /** The token whose loss stands for "early in the context": token 50 of 512 in Olsson et al., scaled. */
    int earlyPosition() {
        return Math.max(1, (int) Math.round(OLSSON_EARLY * sequenceLength));
    }

    /**
     * How well a model does the task.
     *
     * @param firstOccurrenceLoss mean next-token loss on tokens before the repeat: random, so near {@code log(vocab)}
     * @param repeatLoss mean loss on the repeat's tokens after its first: near 0 once induction works
     * @param inContextLearningScore loss on the last token minus loss on the early token (token 50 of 512 scaled to the
     *     sequence), per sequence and averaged: Olsson et al.'s score, clearly negative when later tokens are predicted
     *     from the context
     * @param uniformLoss {@code log(vocab)}, the loss of a uniform guess
     */
    public record Scores(double firstOccurrenceLoss, double repeatLoss, double inContextLearningScore,
            double uniformLoss) {

        /** The scores by name, in this order, for {@link Trainer.Builder#evaluateEvery}. */
        public Map<String, Double> asMetrics() {
            Map<String, Double> metrics = new LinkedHashMap<>();
            metrics.put("first-occurrence loss", firstOccurrenceLoss);
            metrics.put("repeat loss", repeatLoss);
            metrics.put("in-context learning score", inContextLearningScore);
            return metrics;
        }
    }
}
