package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import dev.arrakis.model.HookedTransformer;
import org.junit.jupiter.api.Test;

/**
 * A shortened induction training from scratch, small enough for the normal suite: 2 layers, d_model 32, vocabulary
 * 16, 16 tokens, one libtorch thread (two threads on a busy 2-core machine are several times slower). Measured over
 * seeds 1 to 4 (the one here is 3): the repeat loss starts at 2.98-3.13 (log 16 = 2.77; the initial logits are not
 * quite uniform) and after 300 steps is 2.15-2.29, the in-context-learning score -0.39 to -0.48, while tokens before
 * the repeat stay unpredictable (2.82-2.84).
 */
class InductionTrainingTest {

    @Test
    void threeHundredStepsFromScratchStartInductionOnTheRepeat() {
        Engine.getEngine("PyTorch"); // loads libtorch, which JniUtils calls into
        int threads = JniUtils.getNumThreads();
        JniUtils.setNumThreads(1);
        try {
            trainAndCheck();
        } finally {
            JniUtils.setNumThreads(threads);
        }
    }

    private static void trainAndCheck() {
        InductionTask task = new InductionTask(16, 16, 3, 8);
        try (HookedTransformer model = ToyModels.create(ToyModels.gpt2(2, 2, 32, 64, 16, 16), 3)) {
            InductionTask.Scores before = task.score(model, 256, 99);
            assertTrue(before.repeatLoss() > Math.log(16) - 0.05 && before.repeatLoss() < Math.log(16) + 0.5,
                    "repeat loss of the untrained model, near log 16 = 2.77: " + before.repeatLoss());
            TrainingHistory history = Trainer.builder().steps(300).learningRate(3e-3f).warmupSteps(20)
                    .evaluateEvery(300, m -> task.score(m, 256, 99).asMetrics()).build()
                    .train(model, task.batches(16, 3));
            InductionTask.Scores after = task.score(model, 256, 99);
            assertEquals(after.repeatLoss(), history.last().metrics().get("repeat loss"), 0,
                    "the history's last evaluation is the final model's");
            assertTrue(after.repeatLoss() < 2.5, "repeat loss after 300 steps: " + after.repeatLoss()
                    + " (before: " + before.repeatLoss() + ")");
            assertTrue(after.inContextLearningScore() < -0.25, "ICL score after 300 steps: "
                    + after.inContextLearningScore());
            assertTrue(after.firstOccurrenceLoss() > 2.7, "tokens before the repeat stay unpredictable: "
                    + after.firstOccurrenceLoss());
            double[] losses = history.stepLosses();
            assertEquals(300, losses.length, "one loss per step");
            assertTrue(mean(losses, 270, 300) < mean(losses, 0, 30) - 0.1, "training loss, first 30 steps "
                    + mean(losses, 0, 30) + ", last 30 " + mean(losses, 270, 300));
        }
    }

    private static double mean(double[] values, int from, int to) {
        double sum = 0;
        for (int i = from; i < to; i++) {
            sum += values[i];
        }
        return sum / (to - from);
    }
}
