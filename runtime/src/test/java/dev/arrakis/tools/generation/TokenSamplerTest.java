package dev.arrakis.tools.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The sampling rules on four-token vectors whose answers are worked out by hand. Logits {@code ln(0.1), ln(0.2),
 * ln(0.3), ln(0.4)} have softmax (0.1, 0.2, 0.3, 0.4) at temperature 1; HF's top-p sorts ascending and drops a token
 * when the mass up to and including it is at most {@code 1 - p}: cumulative masses 0.1, 0.3, 0.6, 1.0.
 */
class TokenSamplerTest {
    private static final float[] QUARTERS = {(float) Math.log(0.1), (float) Math.log(0.2), (float) Math.log(0.3),
        (float) Math.log(0.4)};

    private static TokenSampler sampler(double temperature, int topK, double topP) {
        return new TokenSampler(GenerationSettings.sampling(1, temperature, 7).withTopK(topK).withTopP(topP));
    }

    @Test
    void topPKeepsTheSmallestSetOfLikeliestTokensReachingP() {
        // p = 0.75: drop while cumulative <= 0.25 -> only token 0 (0.1) goes
        assertArrayEquals(new boolean[] {false, true, true, true}, sampler(1, 0, 0.75).kept(QUARTERS),
                "top-p 0.75 of (0.1,0.2,0.3,0.4): " + Arrays.toString(sampler(1, 0, 0.75).kept(QUARTERS)));
        // p = 0.5: drop while cumulative <= 0.5 -> tokens 0 and 1 (0.1, 0.3) go, token 2 (0.6) stays
        assertArrayEquals(new boolean[] {false, false, true, true}, sampler(1, 0, 0.5).kept(QUARTERS),
                "top-p 0.5: " + Arrays.toString(sampler(1, 0, 0.5).kept(QUARTERS)));
        // p = 0.35: drop while cumulative <= 0.65 -> only the likeliest stays
        assertArrayEquals(new boolean[] {false, false, false, true}, sampler(1, 0, 0.35).kept(QUARTERS),
                "top-p 0.35: " + Arrays.toString(sampler(1, 0, 0.35).kept(QUARTERS)));
        double[] renormalised = sampler(1, 0, 0.5).probabilities(QUARTERS);
        assertArrayEquals(new double[] {0, 0, 0.3 / 0.7, 0.4 / 0.7}, renormalised, 1e-6,
                "top-p 0.5 probabilities: " + Arrays.toString(renormalised));
    }

    @Test
    void topKKeepsTheKLargestLogitsAndTiesWithTheKth() {
        assertArrayEquals(new boolean[] {false, false, true, true}, sampler(1, 2, 1).kept(QUARTERS),
                "top-2 of (0.1,0.2,0.3,0.4): " + Arrays.toString(sampler(1, 2, 1).kept(QUARTERS)));
        float[] tied = {1f, 3f, 2f, 2f};
        assertArrayEquals(new boolean[] {false, true, true, true}, sampler(1, 2, 1).kept(tied),
                "top-2 of (1,3,2,2) keeps both 2s as HF's `scores < kth value` does: "
                        + Arrays.toString(sampler(1, 2, 1).kept(tied)));
        // top-k first, then top-p over the renormalised (0.3/0.7, 0.4/0.7) = (0.43, 0.57): p = 0.5 drops 0.43
        assertArrayEquals(new boolean[] {false, false, false, true}, sampler(1, 2, 0.5).kept(QUARTERS),
                "top-2 then top-p 0.5: " + Arrays.toString(sampler(1, 2, 0.5).kept(QUARTERS)));
    }

    @Test
    void temperatureSharpensBeforeTheFiltersApply() {
        // at temperature 0.5 the weights are squared: 0.01, 0.04, 0.09, 0.16 over 0.30
        double[] probabilities = sampler(0.5, 0, 1).probabilities(QUARTERS);
        assertArrayEquals(new double[] {0.01 / 0.3, 0.04 / 0.3, 0.09 / 0.3, 0.16 / 0.3}, probabilities, 1e-6,
                "temperature 0.5: " + Arrays.toString(probabilities));
        // cumulative 0.033, 0.167, 0.467, 1.0: top-p 0.6 drops those <= 0.4, top-p 0.5 those <= 0.5 as well
        assertArrayEquals(new boolean[] {false, false, true, true}, sampler(0.5, 0, 0.6).kept(QUARTERS),
                "temperature 0.5, top-p 0.6: " + Arrays.toString(sampler(0.5, 0, 0.6).kept(QUARTERS)));
        assertArrayEquals(new boolean[] {false, false, false, true}, sampler(0.5, 0, 0.5).kept(QUARTERS),
                "temperature 0.5, top-p 0.5: " + Arrays.toString(sampler(0.5, 0, 0.5).kept(QUARTERS)));
    }

    @Test
    void aDrawWalksTheKeptTokensInIdOrder() {
        long seed = 11;
        double draw = new SplittableRandom(seed).nextDouble();
        // kept (0, 0, 3/7, 4/7): token 2 when the draw is below 3/7
        int expected = draw < 3.0 / 7 ? 2 : 3;
        int chosen = sampler(1, 0, 0.5).choose(QUARTERS, new SplittableRandom(seed));
        assertEquals(expected, chosen, "draw " + draw + " over (0, 0, 3/7, 4/7)");
    }

    @Test
    void samplingFollowsTheDistributionAndASeedRepeatsIt() {
        TokenSampler sampler = sampler(1, 0, 1);
        int draws = 40_000;
        int[] counts = new int[4];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < draws; i++) {
            counts[sampler.choose(QUARTERS, random)]++;
        }
        double[] expected = {0.1, 0.2, 0.3, 0.4};
        for (int t = 0; t < 4; t++) {
            double frequency = counts[t] / (double) draws;
            // a binomial frequency's standard deviation here is at most 0.0025; 0.01 is four of them
            assertEquals(expected[t], frequency, 0.01, "token " + t + " drawn " + counts[t] + " of " + draws);
        }
        int[] first = drawSeries(sampler, 42);
        int[] second = drawSeries(sampler, 42);
        assertArrayEquals(first, second, "two series with seed 42: " + Arrays.toString(first) + " vs "
                + Arrays.toString(second));
        int[] otherSeed = drawSeries(sampler, 43);
        assertNotEquals(Arrays.toString(first), Arrays.toString(otherSeed), "seeds 42 and 43 gave the same 30 draws");
    }

    private static int[] drawSeries(TokenSampler sampler, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] series = new int[30];
        for (int i = 0; i < series.length; i++) {
            series[i] = sampler.choose(QUARTERS, random);
        }
        return series;
    }

    @Test
    void greedyTakesTheFirstLargestLogit() {
        TokenSampler greedy = new TokenSampler(GenerationSettings.greedy(1));
        assertEquals(1, greedy.choose(new float[] {0f, 5f, 5f, -1f}, null), "argmax of (0,5,5,-1)");
    }

    @Test
    void settingsOutOfRangeNameTheSettingWithItsValue() {
        GenerationException error = assertThrows(GenerationException.class,
                () -> new GenerationSettings(0, -1, 300, 1.5, 0, new long[] {256}, true, 0).check("gpt2", 256));
        String message = error.getMessage();
        for (String expected : new String[] {"[Experiment/Generate] maxNewTokens = 0 generates nothing",
            "temperature = -1 is not a number >= 0", "topK = 300 is outside 0..256, the vocabulary of gpt2",
            "topP = 1.5 is outside (0, 1]", "stop token 256 is outside the vocabulary of gpt2 (0..255)"}) {
            assertTrue(message.contains(expected), "expected '" + expected + "' in: " + message);
        }
    }
}
