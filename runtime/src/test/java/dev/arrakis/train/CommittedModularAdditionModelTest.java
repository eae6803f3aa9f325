package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.spec.Architecture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The committed models/modadd-1l adds modulo 59 on the pairs it was not trained on: the held-out pairs are recomputed
 * from the split seed of its TRAINING.md, and the answers checked here by an argmax over the logits.
 */
class CommittedModularAdditionModelTest {
    static final Path MODEL = committedModel();
    /** {@code arrakis train modular-addition --p 59 --train-fraction 0.4 --seed 1 ...} (TRAINING.md). */
    static final ModularAdditionTask TASK = new ModularAdditionTask(59, 0.4, 1);

    @Test
    void isTheSmallOneLayerReluGpt2ItsTrainingRecordSays() throws IOException {
        long bytes = Files.size(MODEL.resolve("model.safetensors"));
        assertTrue(bytes < 2_000_000, "model.safetensors is " + bytes + " bytes");
        JsonNode settings = Json.MAPPER.readTree(MODEL.resolve("training.json").toFile()).get("settings");
        try (HookedTransformer model = HookedTransformer.load(MODEL)) {
            int dModel = model.config().dModel();
            assertEquals(ToyModels.gpt2(1, 4, dModel, 4 * dModel, 60, 3, Architecture.Activation.RELU), model.config(),
                    "shape of " + MODEL);
            assertEquals(59, settings.get("p").asInt(), "p in training.json");
            assertEquals(0.4, settings.get("train_fraction").asDouble(), 0, "train fraction in training.json");
            assertEquals(1, settings.get("seed").asLong(), "split seed in training.json");
        }
    }

    @Test
    void answersAtLeast99PercentOfTheHeldOutPairsAndEveryTrainingPair() throws IOException {
        JsonNode evaluations = Json.MAPPER.readTree(MODEL.resolve("training.json").toFile()).get("evaluations");
        JsonNode last = evaluations.get(evaluations.size() - 1).get("metrics");
        try (HookedTransformer model = HookedTransformer.load(MODEL)) {
            double test = accuracy(model, TASK.testPairs());
            double train = accuracy(model, TASK.trainPairs());
            assertEquals(2089, TASK.testPairs().size(), "60% of 59 * 59 = 3481 pairs are held out");
            assertTrue(test >= 0.99, "held-out accuracy " + test);
            assertEquals(1.0, train, "training accuracy " + train);
            assertEquals(last.get("test accuracy").asDouble(), test, 1.0 / 2089,
                    "training.json's last held-out accuracy against the recomputed " + test);
        }
    }

    /** The share of pairs whose largest logit at '=' is (a + b) mod 59, read off the logits here. */
    private static double accuracy(HookedTransformer model, List<int[]> pairs) {
        try (ForwardResult pass = model.forward(TASK.rows(pairs));
                NDArray last = pass.logits().get(new NDIndex(":, 2, :"))) {
            float[] logits = last.toFloatArray();
            int vocab = 60;
            int correct = 0;
            for (int row = 0; row < pairs.size(); row++) {
                int best = 0;
                for (int token = 1; token < vocab; token++) {
                    if (logits[row * vocab + token] > logits[row * vocab + best]) {
                        best = token;
                    }
                }
                if (best == (pairs.get(row)[0] + pairs.get(row)[1]) % 59) {
                    correct++;
                }
            }
            return (double) correct / pairs.size();
        }
    }

    private static Path committedModel() {
        Path fromRuntime = Path.of("..", "models", "modadd-1l");
        return Files.isDirectory(fromRuntime) ? fromRuntime : Path.of("models", "modadd-1l");
    }
}
