package dev.arrakis.tools.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.annotations.ErrorMeasure;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Detection patterns, scores, entropies and top keys on matrices small enough to work out by hand. */
class AttentionToolsTest {
    /** Rows sum to 1, causal. */
    private static final double[][] ATTENTION = {{1, 0, 0}, {0.6, 0.4, 0}, {0.2, 0.5, 0.3}};

    @Test
    void detectionPatternsMarkTheExpectedQueryKeyPairs() {
        long[] tokens = {7, 8, 7, 8, 9};
        assertEquals(List.of("1,0", "2,1", "3,2", "4,3"), ones(DetectionPattern.PREVIOUS_TOKEN.forTokens(tokens)));
        // the 7 at 2 repeats the 7 at 0, the 8 at 3 the 8 at 1
        assertEquals(List.of("2,0", "3,1"), ones(DetectionPattern.DUPLICATE_TOKEN.forTokens(tokens)));
        // after the second 7 comes what followed the first: key 1; after the second 8, key 2
        assertEquals(List.of("2,1", "3,2"), ones(DetectionPattern.INDUCTION.forTokens(tokens)));
    }

    @Test
    void scoresFollowTransformerLensFormulas() {
        double[][] previous = DetectionPattern.PREVIOUS_TOKEN.forTokens(new long[] {1, 2, 3});
        HeadDetector.Options mul = HeadDetector.Options.DEFAULT;
        // (0.6 + 0.5) of a total 3
        assertScore(1.1 / 3, previous, mul, "mul");
        // column 0 zeroed: total 0.4 + 0.5 + 0.3, matched 0.5
        assertScore(0.5 / 1.2, previous, mul.excludingBos(), "mul, BOS excluded");
        // diagonal zeroed: total 0.6 + 0.2 + 0.5, matched 1.1
        assertScore(1.1 / 1.3, previous, mul.excludingCurrentToken(), "mul, current excluded");
        HeadDetector.Options abs = mul.withMeasure(ErrorMeasure.ABS);
        // |A - D| sums to 1 + 0.8 + 1.0 over 3 queries
        assertScore(1 - 2.8 / 3, previous, abs, "abs");
        // without column 0: 0 + 0.4 + 0.8
        assertScore(1 - 1.2 / 3, previous, abs.excludingBos(), "abs, BOS excluded");
    }

    @Test
    void aFixedPatternMustBeLowerTriangularAndFitTheSequence() {
        ArrakisException upper = assertThrows(ArrakisException.class,
                () -> DetectionPattern.fixed("mine", new double[][] {{0, 1}, {0, 0}}));
        assertTrue(upper.getMessage().contains("'mine' must be lower triangular")
                && upper.getMessage().contains("[0][1]"), upper.getMessage());
        DetectionPattern fixed = DetectionPattern.fixed("mine", new double[][] {{1, 0}, {1, 0}});
        ArrakisException size = assertThrows(ArrakisException.class, () -> fixed.forTokens(new long[] {1, 2, 3}));
        assertEquals("detection pattern 'mine' is 2x2 but the sequence has 3 tokens", size.getMessage());
    }

    @Test
    void aHeadTableNamesItsBestHeadAndRefusesHeadsItHasNot() {
        HeadScores scores = new HeadScores("test", new double[][] {{0.1, Double.NaN}, {0.7, 0.3}});
        assertArrayEquals(new int[] {1, 0}, scores.best(), "L1H0 (0.7) is best; NaN is passed over");
        ArrakisException missing = assertThrows(ArrakisException.class, () -> scores.get(2, 0));
        assertEquals("head L2H0 does not exist: test has layers 0..1 and heads 0..1", missing.getMessage());
        assertEquals("test\n            H0      H1\nL0      0.1000     NaN\nL1      0.7000  0.3000", scores.toString(),
                "the table");
    }

    @Test
    void entropyIsInNatsWithZeroForOneKey() {
        assertEquals(1.5 * Math.log(2), AttentionEntropy.entropy(new double[] {0.5, 0.25, 0.25}), 1e-12,
                "H(1/2, 1/4, 1/4)");
        assertEquals(0, AttentionEntropy.entropy(new double[] {1, 0, 0}), 0, "all on one key");
        try (NDManager manager = NDManager.newBaseManager()) {
            AttentionPattern pattern = new AttentionPattern(manager.create(flat(ATTENTION), new Shape(1, 1, 3, 3)));
            double[] entropies = AttentionEntropy.perPosition(pattern, TokenBatch.of(new long[] {1, 2, 3}))[0][0];
            double second = -(0.6 * Math.log(0.6) + 0.4 * Math.log(0.4));
            double third = -(0.2 * Math.log(0.2) + 0.5 * Math.log(0.5) + 0.3 * Math.log(0.3));
            assertArrayEquals(new double[] {0, second, third}, entropies, 1e-6,
                    "per query: " + java.util.Arrays.toString(entropies));
        }
    }

    @Test
    void topAttendedTokensAreStrongestFirstAndOnlyVisibleRealKeys() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // row 1 has one pad on the left: its query 2 sees keys 1 and 2 only
            float[] weights = new float[2 * 3 * 3];
            System.arraycopy(flat(ATTENTION), 0, weights, 0, 9);
            float[] padded = {0, 0, 0, 0, 1, 0, 0, 0.25f, 0.75f};
            System.arraycopy(padded, 0, weights, 9, 9);
            AttentionPattern pattern = new AttentionPattern(manager.create(weights, new Shape(2, 1, 3, 3)));
            TokenBatch tokens = TokenBatch.leftPadded(List.of(new long[] {10, 11, 12}, new long[] {20, 21}), 0);

            List<TopAttendedTokens.AttendedToken> top =
                    TopAttendedTokens.top(pattern, tokens, 0, 0, -1, 2, Optional.empty());
            assertEquals("[1 #11 0.5000, 2 #12 0.3000]", top.toString(), "row 0, last query, top 2");
            List<TopAttendedTokens.AttendedToken> padRow =
                    TopAttendedTokens.top(pattern, tokens, 1, 0, 2, 5, Optional.empty());
            assertEquals("[2 #21 0.7500, 1 #20 0.2500]", padRow.toString(), "row 1: only the two real keys");
            ArrakisException onPad = assertThrows(ArrakisException.class,
                    () -> TopAttendedTokens.top(pattern, tokens, 1, 0, 0, 1, Optional.empty()));
            assertTrue(onPad.getMessage().contains("query position 0 is not a real token of row 1"),
                    onPad.getMessage());
        }
    }

    @Test
    void aLeftPaddedRowScoresAsTheRowAlone() {
        long[] shortRow = {5, 6, 7, 5, 6, 7, 5, 6};
        long[] longRow = {9, 1, 2, 3, 4, 1, 2, 3, 4, 1, 2, 3};
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny"))) {
            HeadDetector.Options options = HeadDetector.Options.DEFAULT.excludingBos();
            HeadScores shortScores = detect(model, TokenBatch.of(shortRow), options);
            HeadScores longScores = detect(model, TokenBatch.of(longRow), options);
            HeadScores padded = detect(model, TokenBatch.leftPadded(List.of(shortRow, longRow), 0), options);
            for (int layer = 0; layer < padded.layers(); layer++) {
                for (int head = 0; head < padded.heads(); head++) {
                    double expected = (shortScores.get(layer, head) + longScores.get(layer, head)) / 2;
                    assertEquals(expected, padded.get(layer, head), 1e-5, "L" + layer + "H" + head
                            + ": mean of the rows alone " + expected + ", padded batch " + padded.get(layer, head));
                }
            }
            assertTrue(Math.abs(shortScores.get(0, 0) - longScores.get(0, 0)) > 1e-3, "the rows score differently ("
                    + shortScores.get(0, 0) + " and " + longScores.get(0, 0) + "), so the mean tests both");
        }
    }

    private static HeadScores detect(HookedTransformer model, TokenBatch batch, HeadDetector.Options options) {
        try (ForwardResult run = model.runWithCache(batch,
                HeadDetector.requiredHooks(model.hookPoints()).toArray(String[]::new))) {
            return HeadDetector.detect(run.cache(), model.hookPoints(), batch, DetectionPattern.INDUCTION, options);
        }
    }

    private static void assertScore(double expected, double[][] detection, HeadDetector.Options options, String what) {
        double actual = HeadDetector.score(ATTENTION, detection, options);
        assertEquals(expected, actual, 1e-12, what + ": expected " + expected + ", got " + actual);
    }

    private static List<String> ones(double[][] pattern) {
        List<String> cells = new java.util.ArrayList<>();
        for (int query = 0; query < pattern.length; query++) {
            for (int key = 0; key < pattern.length; key++) {
                if (pattern[query][key] == 1) {
                    cells.add(query + "," + key);
                } else {
                    assertEquals(0, pattern[query][key], "cell " + query + "," + key);
                }
            }
        }
        return cells;
    }

    private static float[] flat(double[][] matrix) {
        float[] values = new float[matrix.length * matrix.length];
        for (int row = 0; row < matrix.length; row++) {
            for (int column = 0; column < matrix.length; column++) {
                values[row * matrix.length + column] = (float) matrix[row][column];
            }
        }
        return values;
    }
}
