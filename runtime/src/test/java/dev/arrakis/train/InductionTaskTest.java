package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InductionTaskTest {

    @Test
    void repeatedHalvesRepeatTheFirstHalfExactly() {
        InductionTask task = InductionTask.repeatedHalves(10, 8);
        InductionTask.Batches batches = task.batches(3, 42);
        TokenBatch batch = batches.next();
        assertEquals(3, batch.batchSize(), "rows");
        assertEquals(8, batch.sequenceLength(), "tokens per row");
        assertArrayEquals(new int[] {4, 4, 4}, batches.repeatStarts(), "a fixed half of 4 starts its repeat at 4");
        for (int row = 0; row < 3; row++) {
            for (int position = 0; position < 4; position++) {
                assertEquals(batch.token(row, position), batch.token(row, position + 4),
                        "row " + row + ": token " + (position + 4) + " repeats token " + position);
            }
        }
    }

    @Test
    void variableHalvesEndTheSequenceWithTheRepeatAfterRandomFiller() {
        InductionTask task = new InductionTask(5, 12, 2, 6);
        InductionTask.Batches batches = task.batches(400, 7);
        TokenBatch batch = batches.next();
        int[] starts = batches.repeatStarts();
        Set<Integer> halves = new HashSet<>();
        Set<Long> tokens = new HashSet<>();
        for (int row = 0; row < 400; row++) {
            int half = 12 - starts[row];
            halves.add(half);
            for (int position = starts[row]; position < 12; position++) {
                assertEquals(batch.token(row, position - half), batch.token(row, position),
                        "row " + row + " (half " + half + "): token " + position + " repeats " + (position - half));
            }
            for (int position = 0; position < 12; position++) {
                tokens.add(batch.token(row, position));
            }
        }
        assertEquals(Set.of(2, 3, 4, 5, 6), halves, "every half length from shortest to longest occurs in 400 rows");
        assertEquals(Set.of(0L, 1L, 2L, 3L, 4L), tokens, "tokens are exactly 0..vocab-1");
    }

    @Test
    void theSameSeedGivesTheSameBatchesAndAnotherSeedOthers() {
        InductionTask task = new InductionTask(50, 16, 4, 8);
        InductionTask.Batches first = task.batches(4, 1);
        InductionTask.Batches again = task.batches(4, 1);
        InductionTask.Batches other = task.batches(4, 2);
        for (int draw = 0; draw < 3; draw++) {
            long[] a = first.next().flatTokens();
            long[] b = again.next().flatTokens();
            long[] c = other.next().flatTokens();
            assertArrayEquals(a, b, "draw " + draw + " with seed 1, twice");
            assertNotEquals(Arrays.toString(a), Arrays.toString(c), "draw " + draw + " with seeds 1 and 2");
        }
    }

    @Test
    void badShapesAreRefusedByName() {
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> new InductionTask(10, 8, 2, 5));
        assertTrue(tooLong.getMessage().contains("longestHalf 5") && tooLong.getMessage().contains("sequenceLength 8"),
                tooLong.getMessage());
        IllegalArgumentException vocab = assertThrows(IllegalArgumentException.class,
                () -> new InductionTask(1, 8, 2, 4));
        assertTrue(vocab.getMessage().contains("vocabSize"), vocab.getMessage());
    }

    /** A model whose logits are all zero guesses uniformly: every loss is log(vocab), so the ICL score is 0. */
    @Test
    void aUniformGuessScoresLogVocabEverywhereAndNoInContextLearning() {
        InductionTask task = new InductionTask(16, 20, 3, 10);
        try (HookedTransformer model = ToyModels.create(ToyModels.gpt2(1, 2, 8, 16, 16, 20), 5)) {
            model.weights().unembedding().muli(0);
            InductionTask.Scores scores = task.score(model, 8, 3);
            double logVocab = Math.log(16);
            assertEquals(logVocab, scores.uniformLoss(), 1e-12, "uniform loss");
            assertEquals(logVocab, scores.firstOccurrenceLoss(), 1e-5, "first-occurrence loss");
            assertEquals(logVocab, scores.repeatLoss(), 1e-5, "repeat loss");
            assertEquals(0, scores.inContextLearningScore(), 1e-5, "ICL score");
        }
    }

    @Test
    void theEarlyTokenIsOlssonsFiftyOfFiveHundredTwelveScaled() {
        assertEquals(6, new InductionTask(10, 64, 8, 32).earlyPosition(), "50/512 of 64 = 6.25");
        assertEquals(50, new InductionTask(10, 512, 8, 256).earlyPosition(), "the paper's own length");
        assertEquals(1, new InductionTask(10, 8, 2, 4).earlyPosition(), "0.78 rounds to 1");
    }
}
