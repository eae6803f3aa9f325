package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.training.tracker.Tracker;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The cool-down's learning rates behind DJL's warm-up, worked out by hand. */
class CooldownTest {

    @Test
    void theRateRisesThenHoldsThenFallsToRateOverCooldownAtTheLastStep() {
        // 10 steps, 2 of warm-up from 0, cool-down over the last 4 of the 8 after it: DJL's warm-up gives step 1 the
        // rate 0.1 * 1 / 2 and hands step s >= 2 to the main tracker as update u = s - 2, which holds 0.1 up to
        // update 5 and then gives 0.1 * (8 - u + 1) / 4: 0.075, 0.05, 0.025 for updates 6, 7, 8 (steps 8, 9, 10)
        Tracker rates = Tracker.warmUp().setMainTracker(Trainer.cooldown(0.1f, 8, 4)).optWarmUpSteps(2)
                .optWarmUpBeginValue(0f).build();
        float[] actual = new float[10];
        for (int step = 1; step <= 10; step++) {
            actual[step - 1] = rates.getNewValue(step);
        }
        float[] expected = {0.05f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.1f, 0.075f, 0.05f, 0.025f};
        assertArrayEquals(expected, actual, 1e-7f, "expected " + Arrays.toString(expected) + ", got "
                + Arrays.toString(actual));
    }

    @Test
    void aCooldownLongerThanTheStepsAfterWarmupIsRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> Trainer.builder().steps(10).warmupSteps(4).cooldownSteps(7).build());
        // without a cool-down a warm-up may outlast the run, as short test runs do
        Trainer.builder().steps(6).warmupSteps(100).build();
        assertTrue(error.getMessage().contains("cooldownSteps (7) must fit in the steps after warm-up (10 - 4)"),
                error.getMessage());
    }
}
