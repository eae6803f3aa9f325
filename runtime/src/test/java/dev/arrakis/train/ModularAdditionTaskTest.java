package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.TokenBatch;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The task's rows, split and loss on numbers checked by hand. */
class ModularAdditionTaskTest {

    @Test
    void rowsAreABEqualsAndAnswersWrapAroundP() {
        ModularAdditionTask task = new ModularAdditionTask(5, 0.4, 7);
        assertEquals(5, task.equalsToken(), "'=' is the token p");
        assertEquals(6, task.vocabSize(), "tokens 0..4 and '='");
        assertEquals(1, task.answer(2, 4), "2 + 4 = 6 = 1 mod 5");
        assertEquals(0, task.answer(0, 0), "0 + 0");
        assertEquals(3, task.answer(4, 4), "4 + 4 = 8 = 3 mod 5");
        TokenBatch rows = task.rows(List.of(new int[] {2, 4}, new int[] {0, 3}));
        assertEquals(3, rows.sequenceLength(), "a b =");
        assertArrayEquals(new long[] {2, 4, 5, 0, 3, 5}, rows.flatTokens(), "two rows a b =");
    }

    @Test
    void theSplitCoversEveryPairOnceAndDependsOnlyOnTheSeed() {
        ModularAdditionTask task = new ModularAdditionTask(5, 0.4, 7);
        List<int[]> train = task.trainPairs();
        List<int[]> test = task.testPairs();
        assertEquals(10, train.size(), "40% of 25 pairs");
        assertEquals(15, test.size(), "the other 15");
        Set<Integer> seen = new HashSet<>();
        for (int[] pair : train) {
            seen.add(pair[0] * 5 + pair[1]);
        }
        for (int[] pair : test) {
            assertTrue(seen.add(pair[0] * 5 + pair[1]), "pair " + pair[0] + "," + pair[1] + " is in both halves");
        }
        assertEquals(25, seen.size(), "every pair of 0..4 once: " + seen);
        assertEquals(codes(train), codes(new ModularAdditionTask(5, 0.4, 7).trainPairs()), "same seed, same split");
        assertTrue(!codes(train).equals(codes(new ModularAdditionTask(5, 0.4, 8).trainPairs())),
                "seed 8 splits otherwise: " + codes(train));
    }

    @Test
    void theLossScoresOnlyTheAnswerAtEquals() {
        ModularAdditionTask task = new ModularAdditionTask(5, 0.4, 7);
        TokenBatch rows = task.rows(List.of(new int[] {2, 4}, new int[] {3, 3}));
        // logits [2 rows, 3 positions, 6 tokens], zero except: row 0's last position gives its answer 1 the logit
        // ln 3, so p(1) = 3 / (3 + 5) and the loss is ln(8/3) = 0.98083; row 1 (answer 1) puts ln 3 on token 4, so
        // p(1) = 1 / 8 and the loss is ln 8 = 2.07944. The first two positions hold large logits that would change a
        // loss over every position, but do not count
        float[] values = new float[2 * 3 * 6];
        values[(0 * 3 + 2) * 6 + 1] = (float) Math.log(3);
        values[(1 * 3 + 2) * 6 + 4] = (float) Math.log(3);
        values[(0 * 3 + 0) * 6 + 3] = 9;
        values[(1 * 3 + 1) * 6 + 0] = 9;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = manager.create(values, new Shape(2, 3, 6));
            double loss = task.answerLoss(logits, rows).getFloat();
            double expected = (Math.log(8.0 / 3) + Math.log(8)) / 2;
            assertEquals(expected, loss, 1e-6, "mean of ln(8/3) and ln 8: expected " + expected + ", got " + loss);
        }
    }

    @Test
    void impossibleSplitsAreRefusedByName() {
        IllegalArgumentException all = assertThrows(IllegalArgumentException.class,
                () -> new ModularAdditionTask(5, 1.0, 1));
        assertTrue(all.getMessage().contains("trainFraction") && all.getMessage().contains("25"), all.getMessage());
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class,
                () -> new ModularAdditionTask(5, 0.01, 1));
        assertTrue(none.getMessage().contains("trainFraction"), none.getMessage());
        IllegalArgumentException modulus = assertThrows(IllegalArgumentException.class,
                () -> new ModularAdditionTask(1, 0.5, 1));
        assertTrue(modulus.getMessage().contains("modulus p must be at least 2, got 1"), modulus.getMessage());
    }

    private static List<Integer> codes(List<int[]> pairs) {
        return pairs.stream().map(pair -> pair[0] * 100 + pair[1]).toList();
    }
}
