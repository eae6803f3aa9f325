package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.model.TokenBatch;
import org.junit.jupiter.api.Test;

class NextTokenLossTest {

    /**
     * Vocabulary of 2; logits (0, ln 3) give p(1) = 3/4 and p(0) = 1/4, logits (0, 0) give 1/2 each. Sequence 0 1 0:
     * position 0 predicts 1 with logits (0, ln 3): -ln(3/4); position 1 predicts 0 with (0, 0): ln 2. The last
     * position's logits predict nothing.
     */
    @Test
    void perPositionLossIsMinusTheLogProbabilityOfTheNextToken() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float ln3 = (float) Math.log(3);
            NDArray logits = manager.create(new float[] {0, ln3, 0, 0, 5, -5}, new Shape(1, 3, 2));
            TokenBatch batch = TokenBatch.of(new long[] {0, 1, 0});
            float[] losses = NextTokenLoss.perPosition(logits, batch).toFloatArray();
            assertArrayEquals(new float[] {(float) -Math.log(0.75), (float) Math.log(2)}, losses, 1e-6f,
                    "losses " + java.util.Arrays.toString(losses));
            float mean = NextTokenLoss.mean(logits, batch).getFloat();
            assertEquals((-Math.log(0.75) + Math.log(2)) / 2, mean, 1e-6, "mean loss");
        }
    }
}
