package dev.arrakis.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.gradients.GradientCache;
import dev.arrakis.tools.gradients.Gradients;
import dev.arrakis.tools.gradients.LogitMetric;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the soak's random operations found, each kept as a regression test. */
class SoakFindingsTest {

    /**
     * A hook that replaces an activation with a constant cuts every earlier point off the metric: the metric's
     * gradient there is zero. libtorch refuses to run backward from a value that needs no gradient, which surfaced
     * as an untyped EngineException ("element 0 of tensors does not require grad").
     */
    @Test
    void gradientsAtPointsAZeroAblationCutsOffAreZero() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory())) {
            TokenBatch batch = TokenBatch.of(new long[] {5, 17, 3, 99}, new long[] {1, 2, 3, 4});
            long[] answers = {7, 42};
            RunOptions zeroed = RunOptions.none().withHook("blocks.1.hook_resid_post", (a, c) -> a.zerosLike());
            List<String> cutOff = List.of("blocks.0.hook_resid_pre", "blocks.1.hook_attn_out");
            try (GradientCache cache = Gradients.runWithCache(model, batch, zeroed,
                    LogitMetric.answerLogProb(answers), cutOff)) {
                assertEquals(meanAnswerLogProb(model, batch, zeroed, answers), cache.metric(), 1e-5,
                        "the metric of the zero-ablated pass, against log-softmax computed from its logits");
                for (String name : cutOff) {
                    float[] gradient = cache.gradient(name).toFloatArray();
                    float largest = 0;
                    for (float g : gradient) {
                        largest = Math.max(largest, Math.abs(g));
                    }
                    assertEquals(0f, largest, "largest |gradient| at " + name + ", which the zero hook cuts off");
                    assertEquals(batch.batchSize() * batch.sequenceLength() * model.config().dModel(),
                            gradient.length, "gradient values at " + name);
                }
            }
        }
    }

    /** Mean over rows of log softmax(logits)[answer] at the last position, in doubles from the pass's logits. */
    private static double meanAnswerLogProb(HookedTransformer model, TokenBatch batch, RunOptions options,
            long[] answers) {
        try (ForwardResult result = model.run(batch, options)) {
            float[] logits = result.logits().toFloatArray();
            int vocab = model.config().vocabSize();
            int seq = batch.sequenceLength();
            double total = 0;
            for (int row = 0; row < batch.batchSize(); row++) {
                int offset = (row * seq + seq - 1) * vocab;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vocab; v++) {
                    max = Math.max(max, logits[offset + v]);
                }
                double sum = 0;
                for (int v = 0; v < vocab; v++) {
                    sum += Math.exp(logits[offset + v] - max);
                }
                total += logits[offset + (int) answers[row]] - max - Math.log(sum);
            }
            return total / batch.batchSize();
        }
    }
}
