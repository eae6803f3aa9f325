package dev.arrakis.tools.lens;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.arrakis.NativeResources;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.TlReference;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Next-token loss equals TransformerLens's {@code loss_fn} (per token and mean) and hand-derived values. */
class NextTokenLossTest {
    static List<String> cases() {
        return TlReference.CASES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void lossEqualsTransformerLens(String caseName) {
        try (TlReference reference = TlReference.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint())) {
            TokenBatch batch = TokenBatch.of(reference.rows("input_ids"));
            try (ForwardResult pass = model.forward(batch)) {
                float[][] rows = NextTokenLoss.perToken(pass.logits(), batch);
                float[] flat = new float[14];
                System.arraycopy(rows[0], 0, flat, 0, 7);
                System.arraycopy(rows[1], 0, flat, 7, 7);
                assertClose(caseName + " loss per token", reference.floats("loss_per_token"), flat, 1e-5);
                assertEquals(reference.floats("loss_mean")[0], NextTokenLoss.mean(pass.logits(), batch), 1e-5,
                        caseName + " mean loss");
            }
        }
    }

    /**
     * Logits (0, ln 3) give p = (1/4, 3/4), logits (0, 0) give (1/2, 1/2). Row [0, 1, 0]: position 0 predicts token
     * 1 (loss ln 4/3), position 1 predicts token 0 (loss ln 2). Left-padded as [pad, 1, 0], only position 1 counts.
     */
    @Test
    void lossByHandWithAndWithoutPadding() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray logits = manager.create(new float[] {0, (float) Math.log(3), 0, 0, 5, 5}, new Shape(1, 3, 2));
            TokenBatch plain = TokenBatch.of(new long[] {0, 1, 0});
            float[][] losses = NextTokenLoss.perToken(logits, plain);
            assertArrayEquals(new float[] {(float) Math.log(4.0 / 3), (float) Math.log(2)}, losses[0], 1e-6f,
                    "per-token loss of [0, 1, 0]: " + Arrays.toString(losses[0]));
            assertEquals((Math.log(4.0 / 3) + Math.log(2)) / 2, NextTokenLoss.mean(logits, plain), 1e-6,
                    "mean loss of [0, 1, 0]");
            TokenBatch padded = TokenBatch.withMask(new long[][] {{0, 1, 0}}, new boolean[][] {{false, true, true}});
            float[][] paddedLosses = NextTokenLoss.perToken(logits, padded);
            assertArrayEquals(new float[] {0f, (float) Math.log(2)}, paddedLosses[0], 1e-6f,
                    "per-token loss of [pad, 1, 0]: " + Arrays.toString(paddedLosses[0]));
            assertEquals(Math.log(2), NextTokenLoss.mean(logits, padded), 1e-6, "mean loss of [pad, 1, 0]");
            assertEquals(1, NativeResources.attachedCount(manager), "arrays in the logits' manager: the logits only");
            LensException mismatch = assertThrows(LensException.class,
                    () -> NextTokenLoss.perToken(logits, TokenBatch.of(new long[] {0, 1})));
            assertEquals("logits (1, 3, 2) do not belong to a batch of 1 rows of 2 tokens", mismatch.getMessage());
        }
    }

    /**
     * The training form: the gradient of the mean loss over the logits is {@code (softmax − one-hot(next)) / counted}
     * at each counted position and 0 elsewhere. Row [0, 1, 0]: position 0 ((1/4, 3/4) − (0, 1)) / 2 = (1/8, −1/8),
     * position 1 ((1/2, 1/2) − (1, 0)) / 2 = (−1/4, 1/4), position 2 predicts nothing.
     */
    @Test
    void theMeanLossIsDifferentiableWithTheHandDerivedGradient() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray logits = manager.create(new float[] {0, (float) Math.log(3), 0, 0, 5, 5}, new Shape(1, 3, 2));
            logits.setRequiresGradient(true);
            float[] gradient;
            float loss;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
                NDArray mean = NextTokenLoss.meanLoss(logits, TokenBatch.of(new long[] {0, 1, 0}));
                collector.backward(mean);
                loss = mean.getFloat();
                gradient = logits.getGradient().toFloatArray();
            }
            assertEquals((Math.log(4.0 / 3) + Math.log(2)) / 2, loss, 1e-6, "mean loss of [0, 1, 0]");
            assertArrayEquals(new float[] {0.125f, -0.125f, -0.25f, 0.25f, 0, 0}, gradient, 1e-6f,
                    "d loss / d logits: " + Arrays.toString(gradient));
        }
    }
}
