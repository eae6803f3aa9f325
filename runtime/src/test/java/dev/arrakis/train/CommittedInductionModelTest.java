package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The committed models/induction-2l still does induction, on sequences it never saw (seeds other than its training
 * and evaluation seeds 1 and 2). Its TRAINING.md gives the numbers these bounds come from.
 */
class CommittedInductionModelTest {
    static final Path MODEL = committedModel();

    @Test
    void isTheSmallAttentionOnlyGpt2ItsTrainingRecordSays() throws IOException {
        long bytes = Files.size(MODEL.resolve("model.safetensors"));
        assertTrue(bytes < 1_000_000, "model.safetensors is " + bytes + " bytes");
        try (HookedTransformer model = HookedTransformer.load(MODEL)) {
            ModelConfig config = model.config();
            assertEquals(ToyModels.gpt2(2, 4, 64, 128, 64, 64), config, "shape of " + MODEL);
            model.weights().all().forEach((name, weight) -> {
                if (ToyModels.isMlpWeight(name)) {
                    float[] values = weight.toFloatArray();
                    for (float value : values) {
                        assertTrue(value == 0, name + " is zero (either sign), as trained attention-only: " + value);
                    }
                }
            });
        }
    }

    @Test
    void predictsTheRepeatFromContextOnFreshSequences() {
        try (HookedTransformer model = HookedTransformer.load(MODEL)) {
            InductionTask.Scores scores = new InductionTask(64, 64, 8, 32).score(model, 512, 2027);
            assertTrue(scores.repeatLoss() < 0.4, "repeat loss " + scores.repeatLoss() + " against log(64) "
                    + scores.uniformLoss());
            assertTrue(scores.inContextLearningScore() < -3.5, "ICL score " + scores.inContextLearningScore());
            assertTrue(scores.firstOccurrenceLoss() > scores.uniformLoss() - 0.1, "tokens before the repeat are"
                    + " unpredictable: " + scores.firstOccurrenceLoss());
            InductionTask.Scores halves = InductionTask.repeatedHalves(64, 64).score(model, 512, 2028);
            assertTrue(halves.repeatLoss() < 0.5, "repeat loss on one half repeated twice " + halves.repeatLoss());
        }
    }

    /**
     * The mechanism, read from the attention patterns on random halves repeated twice: every layer-0 head attends to
     * the previous token, every layer-1 head to the token after the current token's earlier occurrence.
     */
    @Test
    void layerZeroLooksBackOneTokenAndLayerOneLooksForTheEarlierOccurrence() {
        int half = 32;
        TokenBatch batch = InductionTask.repeatedHalves(64, 2 * half).batches(32, 2029).next();
        String[] patterns = {"blocks.0.attn.hook_pattern", "blocks.1.attn.hook_pattern"};
        try (HookedTransformer model = HookedTransformer.load(MODEL);
                ForwardResult result = model.runWithCache(batch, patterns)) {
            Map<String, float[]> byLayer = Map.of(patterns[0], result.cache().get(patterns[0]).toFloatArray(),
                    patterns[1], result.cache().get(patterns[1]).toFloatArray());
            for (int head = 0; head < 4; head++) {
                double previous = meanAttention(byLayer.get(patterns[0]), head, 1, 1);
                // query q >= 32 repeats token q - 32; what followed it, the answer, is at q - 31
                double induction = meanAttention(byLayer.get(patterns[1]), head, half, half - 1);
                assertTrue(previous > 0.2, "layer 0 head " + head + " attention to the previous token: " + previous);
                assertTrue(induction > 0.5, "layer 1 head " + head + " attention to the token after the earlier"
                        + " occurrence: " + induction);
            }
        }
    }

    /** Mean attention of {@code head} from each query {@code from..63} to the key {@code offset} positions earlier. */
    private static double meanAttention(float[] pattern, int head, int from, int offset) {
        int positions = 64;
        int rows = pattern.length / (4 * positions * positions);
        double sum = 0;
        int count = 0;
        for (int row = 0; row < rows; row++) {
            for (int query = from; query < positions; query++) {
                sum += pattern[((row * 4 + head) * positions + query) * positions + query - offset];
                count++;
            }
        }
        return sum / count;
    }

    private static Path committedModel() {
        Path fromRuntime = Path.of("..", "models", "induction-2l");
        return Files.isDirectory(fromRuntime) ? fromRuntime : Path.of("models", "induction-2l");
    }
}
