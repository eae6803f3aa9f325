package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The optimiser the trainer uses by default, DJL's AdamW, on numbers worked by hand. With a constant gradient g,
 * Adam's bias-corrected moments are m = g and v = g^2 at every step, so each step moves a weight by
 * -lr * (sign(g) + wd * w): decoupled weight decay on the current weight.
 */
class AdamWStepTest {

    @Test
    void twoStepsWithAConstantGradientMoveBySignPlusDecay() {
        Optimizer adamW = Optimizer.adamW().optLearningRateTracker(Tracker.fixed(0.1f)).optWeightDecays(0.01f)
                .build();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray weight = manager.create(new float[] {1f, -2f});
            NDArray gradient = manager.create(new float[] {0.5f, -0.1f});
            adamW.update("w", weight, gradient);
            // 1 - 0.1 * (1 + 0.01 * 1) = 0.899;  -2 - 0.1 * (-1 + 0.01 * -2) = -1.898
            float[] afterOne = weight.toFloatArray();
            assertArrayEquals(new float[] {0.899f, -1.898f}, afterOne, 1e-6f, "after one step: "
                    + Arrays.toString(afterOne));
            adamW.update("w", weight, gradient);
            // 0.899 - 0.1 * (1 + 0.00899) = 0.798101;  -1.898 - 0.1 * (-1 - 0.01898) = -1.796102
            float[] afterTwo = weight.toFloatArray();
            assertArrayEquals(new float[] {0.798101f, -1.796102f}, afterTwo, 1e-6f, "after two steps: "
                    + Arrays.toString(afterTwo));
        }
    }
}
