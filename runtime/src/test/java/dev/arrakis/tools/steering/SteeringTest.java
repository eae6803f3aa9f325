package dev.arrakis.tools.steering;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Steering against hand-written hooked runs that add the same vector by explicit NDArray operations, and the two
 * vectors against residuals read one prompt at a time and combined by hand.
 */
class SteeringTest {
    private static final double TOLERANCE = 1e-6;
    private static final TokenBatch GPT2_TOKENS = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7, 300, 12},
            new long[] {8, 8, 150, 2, 383, 64, 1, 0});
    private static final TokenBatch LLAMA_TOKENS = TokenBatch.of(new long[] {1, 17, 3, 99, 42, 7, 200, 12});

    private static HookedTransformer gpt2;
    private static HookedTransformer llama;

    @BeforeAll
    static void load() {
        gpt2 = HookedTransformer.load(Path.of("../models/gpt2-tiny"));
        llama = HookedTransformer.load(ReferenceCase.of("llama-gqa").directory());
    }

    @AfterAll
    static void close() {
        gpt2.close();
        llama.close();
    }

    @Test
    void steeringEveryPositionEqualsAHookAddingTheBroadcastVector() {
        float[] direction = direction(64, 1);
        double coefficient = 3.5;
        Hook byHand = (activation, context) -> activation.add(
                context.scope().create(scaled(direction, coefficient), new Shape(64)).duplicate());
        assertSteeredEqualsHooked(gpt2, GPT2_TOKENS, Steering.at(1, SteeringVector.of(direction), coefficient),
                "blocks.1.hook_resid_pre", byHand);
        assertSteeredEqualsHooked(llama, LLAMA_TOKENS,
                Steering.at(0, SteeringVector.of(direction), -2).atHook("hook_resid_post"),
                "blocks.0.hook_resid_post", (activation, context) -> activation.add(
                        context.scope().create(scaled(direction, -2), new Shape(64)).duplicate()));
    }

    @Test
    void steeringGivenPositionsEqualsAHookWritingThoseRows() {
        float[] direction = direction(64, 2);
        double coefficient = 6;
        Hook byHand = (activation, context) -> {
            NDArray steered = activation.duplicate();
            for (int position : new int[] {2, 7}) {
                NDIndex rows = new NDIndex(":, " + position + ", :");
                steered.set(rows, activation.get(rows).add(
                        context.scope().create(scaled(direction, coefficient), new Shape(64)).duplicate()));
            }
            return steered;
        };
        assertSteeredEqualsHooked(gpt2, GPT2_TOKENS,
                Steering.at(0, SteeringVector.of(direction), coefficient).atHook("hook_resid_mid").atPositions(2, -1),
                "blocks.0.hook_resid_mid", byHand);
    }

    @Test
    void aZeroCoefficientChangesNothingAndResidPostEqualsTheNextResidPre() {
        SteeringVector vector = SteeringVector.of(direction(64, 3));
        float[] plain = logits(gpt2, GPT2_TOKENS, RunOptions.none());
        float[] zero;
        try (ForwardResult result = Steering.at(1, vector, 0).run(gpt2, GPT2_TOKENS)) {
            zero = result.logits().toFloatArray();
        }
        assertArrayEquals(plain, zero, "logits steered with coefficient 0 against unsteered");
        float[] post;
        float[] nextPre;
        try (ForwardResult a = Steering.at(0, vector, 2).atHook("hook_resid_post").run(gpt2, GPT2_TOKENS);
                ForwardResult b = Steering.at(1, vector, 2).run(gpt2, GPT2_TOKENS)) {
            post = a.logits().toFloatArray();
            nextPre = b.logits().toFloatArray();
        }
        assertTrue(maxDifference(post, nextPre) <= TOLERANCE, "blocks.0.hook_resid_post against blocks.1"
                + ".hook_resid_pre steering: " + maxDifference(post, nextPre));
        assertTrue(maxDifference(plain, post) > 0.01, "steering with coefficient 2 moved the logits by "
                + maxDifference(plain, post));
    }

    @Test
    void contrastPairIsTheDifferenceOfTheTwoPromptsResidualsAlignedAtTheFront() {
        long[] positive = {5, 17, 3, 99};
        long[] negative = {5, 21, 60};
        long pad = 0;
        SteeringVector vector = SteeringVectors.contrastPair(gpt2, positive, negative, pad, 1, "hook_resid_pre");
        float[] positiveResid = residual(gpt2, TokenBatch.of(positive), "blocks.1.hook_resid_pre");
        float[] negativeResid = residual(gpt2, TokenBatch.of(new long[] {5, 21, 60, pad}), "blocks.1.hook_resid_pre");
        assertEquals(4, vector.rows().length, "rows of the contrast-pair vector (the longer prompt's length)");
        for (int position = 0; position < 4; position++) {
            float[] expected = new float[64];
            for (int i = 0; i < 64; i++) {
                expected[i] = positiveResid[position * 64 + i] - negativeResid[position * 64 + i];
            }
            double difference = maxDifference(expected, vector.row(position));
            assertTrue(difference <= TOLERANCE, "row " + position + " differs from the hand difference by "
                    + difference);
        }
        assertEquals(0, vector.norms()[0], 1e-6, "position 0 is the same token (5) in both prompts");

        // Added at the first four positions of the steered prompt, row i at position i.
        Hook byHand = (activation, context) -> {
            NDArray steered = activation.duplicate();
            for (int position = 0; position < 4; position++) {
                NDIndex rows = new NDIndex(":, " + position + ", :");
                steered.set(rows, activation.get(rows).add(context.scope()
                        .create(scaled(vector.row(position), 4), new Shape(64)).duplicate()));
            }
            return steered;
        };
        assertSteeredEqualsHooked(gpt2, GPT2_TOKENS, Steering.at(1, vector, 4), "blocks.1.hook_resid_pre", byHand);
    }

    /**
     * A closed form of ActAdd: with coefficient 1 at the hook it was read at, the contrast-pair vector turns the
     * negative prompt's residual there into the positive's, so the steered negative prompt IS the positive prompt
     * from that layer on (same length, so no padding).
     */
    @Test
    void theContrastPairAtCoefficientOneTurnsTheNegativePromptIntoThePositive() {
        long[] positive = {5, 17, 3, 99, 42};
        long[] negative = {5, 21, 3, 60, 42};
        SteeringVector vector = SteeringVectors.contrastPair(llama, positive, negative, 0, 1, "hook_resid_pre");
        float[] steered;
        try (ForwardResult result = Steering.at(1, vector, 1).run(llama, TokenBatch.of(negative))) {
            steered = result.logits().toFloatArray();
        }
        float[] expected = logits(llama, TokenBatch.of(positive), RunOptions.none());
        float[] unsteered = logits(llama, TokenBatch.of(negative), RunOptions.none());
        assertTrue(maxDifference(expected, steered) <= 1e-5, "steered negative against the positive prompt: "
                + maxDifference(expected, steered));
        assertTrue(maxDifference(expected, unsteered) > 0.01, "the two prompts' logits differ by "
                + maxDifference(expected, unsteered) + " unsteered");
    }

    @Test
    void meanDifferenceIsThePositiveMeanMinusTheNegativeMeanAtThePosition() {
        long[][] positives = {{5, 17, 3, 99}, {8, 8, 150, 2}, {40, 41, 42, 43}};
        long[][] negatives = {{5, 17, 3, 98}, {9, 10, 11, 12}};
        SteeringVector vector = SteeringVectors.meanDifference(llama, TokenBatch.of(positives),
                TokenBatch.of(negatives), 1, "hook_resid_pre", -1);
        double[] expected = new double[64];
        for (long[] prompt : positives) {
            float[] resid = residual(llama, TokenBatch.of(prompt), "blocks.1.hook_resid_pre");
            for (int i = 0; i < 64; i++) {
                expected[i] += resid[3 * 64 + i] / 3.0;
            }
        }
        for (long[] prompt : negatives) {
            float[] resid = residual(llama, TokenBatch.of(prompt), "blocks.1.hook_resid_pre");
            for (int i = 0; i < 64; i++) {
                expected[i] -= resid[3 * 64 + i] / 2.0;
            }
        }
        float[] actual = vector.row(0);
        double worst = 0;
        for (int i = 0; i < 64; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertEquals(1, vector.rows().length, "a mean-difference vector is one direction");
        assertTrue(worst <= TOLERANCE, "mean-difference vector against the hand mean: largest difference " + worst);
    }

    @Test
    void badRequestsNameTheValueAtFault() {
        SteeringVector vector = SteeringVector.of(direction(64, 4));
        SteeringException layer = assertThrows(SteeringException.class,
                () -> Steering.at(2, vector, 1).run(gpt2, GPT2_TOKENS).close());
        assertEquals("[Experiment/LayerRange] layer 2 does not exist in gpt2-tiny (layers 0..1)", layer.getMessage());
        SteeringException hook = assertThrows(SteeringException.class,
                () -> Steering.at(0, vector, 1).atHook("hook_resid_pos").run(gpt2, GPT2_TOKENS).close());
        assertEquals("[Experiment/Steer] steering adds to the residual stream; 'hook_resid_pos' is none of"
                + " hook_resid_pre, hook_resid_mid, hook_resid_post; did you mean 'hook_resid_post'?",
                hook.getMessage());
        SteeringException coefficient = assertThrows(SteeringException.class,
                () -> Steering.at(0, vector, Double.NaN).run(gpt2, GPT2_TOKENS).close());
        assertEquals("[Experiment/Steer] coefficient NaN is not a finite number", coefficient.getMessage());
        SteeringException width = assertThrows(SteeringException.class,
                () -> Steering.at(0, SteeringVector.of(new float[3]), 1).run(gpt2, GPT2_TOKENS).close());
        assertEquals("the steering vector has 3 values per row but gpt2-tiny has d_model 64", width.getMessage());
    }

    private static void assertSteeredEqualsHooked(HookedTransformer model, TokenBatch tokens, Steering steering,
            String hookName, Hook byHand) {
        float[] expected = logits(model, tokens, RunOptions.none().withHook(hookName, byHand));
        float[] actual;
        try (ForwardResult result = steering.run(model, tokens)) {
            actual = result.logits().toFloatArray();
        }
        double difference = maxDifference(expected, actual);
        assertTrue(difference <= TOLERANCE, steering + " against the hand-written hook at " + hookName
                + ": largest logit difference " + difference);
        float[] plain = logits(model, tokens, RunOptions.none());
        assertTrue(maxDifference(plain, actual) > 1e-3, steering + " moved the logits by only "
                + maxDifference(plain, actual));
    }

    private static float[] logits(HookedTransformer model, TokenBatch tokens, RunOptions options) {
        try (ForwardResult result = model.run(tokens, options)) {
            return result.logits().toFloatArray();
        }
    }

    private static float[] residual(HookedTransformer model, TokenBatch tokens, String hookName) {
        try (ForwardResult result = model.runWithCache(tokens, hookName)) {
            return result.cache().get(hookName).toFloatArray();
        }
    }

    /** A fixed direction with no structure the model could treat specially. */
    private static float[] direction(int width, int seed) {
        float[] values = new float[width];
        for (int i = 0; i < width; i++) {
            values[i] = (float) Math.sin(seed * 1.7 + i * 0.61);
        }
        return values;
    }

    private static float[] scaled(float[] values, double coefficient) {
        float[] scaled = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            scaled[i] = (float) (coefficient * values[i]);
        }
        return scaled;
    }

    private static double maxDifference(float[] a, float[] b) {
        double worst = 0;
        for (int i = 0; i < a.length; i++) {
            worst = Math.max(worst, Math.abs(a[i] - b[i]));
        }
        return worst;
    }
}
