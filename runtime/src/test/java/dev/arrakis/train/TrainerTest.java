package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.NativeResources;
import dev.arrakis.io.Json;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ModelConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    private static final ModelConfig SMALL = ToyModels.gpt2(2, 2, 16, 32, 16, 16);
    private static final InductionTask SMALL_TASK = new InductionTask(16, 16, 3, 8);

    @TempDir
    Path temp;

    @Test
    void theSameSeedGivesTheSameWeightsAndAnotherSeedOthers() {
        try (HookedTransformer first = ToyModels.create(SMALL, 9);
                HookedTransformer again = ToyModels.create(SMALL, 9);
                HookedTransformer other = ToyModels.create(SMALL, 10)) {
            float[] a = first.weights().get("blocks.1.attn.W_K").toFloatArray();
            assertArrayEquals(a, again.weights().get("blocks.1.attn.W_K").toFloatArray(), "seed 9 twice");
            assertNotEquals(a[0], other.weights().get("blocks.1.attn.W_K").toFloatArray()[0], "seeds 9 and 10");
        }
    }

    /**
     * GPT-2's scheme at TransformerLens's scale, read back: std 0.8 / sqrt(64) = 0.1, residual projections
     * 0.1 / sqrt(2 * 2 layers) = 0.05 (sampling error of these standard deviations is below 0.001), gains 1, biases 0.
     */
    @Test
    void initialisationIsGpt2sAtTransformerLensScale() {
        ModelConfig wide = ToyModels.gpt2(2, 4, 64, 256, 512, 64);
        try (HookedTransformer model = ToyModels.create(wide, 1)) {
            assertEquals(0.1, ToyModels.defaultInitStd(wide), 1e-15, "0.8 / sqrt(d_model)");
            assertEquals(0.1, std(model.weights().get("embed.W_E")), 0.002, "W_E std");
            assertEquals(0.1, std(model.weights().get("blocks.0.mlp.W_in")), 0.002, "W_in std");
            assertEquals(0.05, std(model.weights().get("blocks.1.mlp.W_out")), 0.002, "W_out std: 0.1 / sqrt(4)");
            assertEquals(0.05, std(model.weights().get("blocks.0.attn.W_O")), 0.002, "W_O std: 0.1 / sqrt(4)");
        }
        try (HookedTransformer gpt2Scale = ToyModels.create(wide, 1, 0.02)) {
            assertEquals(0.02, std(gpt2Scale.weights().get("embed.W_E")), 0.0005, "W_E std at GPT-2's 0.02");
            float[] gain = gpt2Scale.weights().get("blocks.0.ln1.w").toFloatArray();
            float[] bias = gpt2Scale.weights().get("blocks.0.attn.b_Q").toFloatArray();
            assertTrue(allEqual(gain, 1f), "LN gain " + Arrays.toString(Arrays.copyOf(gain, 4)));
            assertTrue(allEqual(bias, 0f), "b_Q " + Arrays.toString(Arrays.copyOf(bias, 4)));
        }
    }

    @Test
    void aCheckpointLoadsBackBitExactInHfGpt2Layout() throws IOException {
        TokenBatch probe = TokenBatch.of(new long[] {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8});
        Path directory = temp.resolve("checkpoint");
        try (HookedTransformer model = ToyModels.create(SMALL, 2)) {
            float[] initial = model.weights().get("blocks.0.attn.W_V").toFloatArray();
            Trainer.builder().steps(3).learningRate(1e-2f).checkpoint(directory, 0).build()
                    .train(model, SMALL_TASK.batches(4, 2));
            assertFalse(Arrays.equals(initial, model.weights().get("blocks.0.attn.W_V").toFloatArray()),
                    "training changed W_V, so the round trip checks trained weights");
            try (HookedTransformer loaded = HookedTransformer.load(directory)) {
                assertEquals(model.config(), loaded.config(), "config read back from config.json");
                for (Map.Entry<String, NDArray> weight : model.weights().all().entrySet()) {
                    assertArrayEquals(weight.getValue().toFloatArray(),
                            loaded.weights().get(weight.getKey()).toFloatArray(), weight.getKey() + " bit for bit");
                }
                try (ForwardResult trained = model.forward(probe); ForwardResult reloaded = loaded.forward(probe)) {
                    assertArrayEquals(trained.logits().toFloatArray(), reloaded.logits().toFloatArray(),
                            "logits of the trained and the reloaded model");
                }
                // HF's layout: Q, K and V side by side in c_attn's every row, the unembedding as lm_head [vocab, d]
                try (SafetensorsFile file = SafetensorsFile.open(directory.resolve("model.safetensors"))) {
                    assertArrayEquals(new long[] {16, 48}, file.info("transformer.h.0.attn.c_attn.weight").shape(), "c_attn");
                    assertArrayEquals(new long[] {16, 16}, file.info("lm_head.weight").shape(), "lm_head");
                    float[] cAttn = file.readFloats("transformer.h.0.attn.c_attn.weight");
                    float[] rowOneKeys = Arrays.copyOfRange(cAttn, 48 + 16, 48 + 32);
                    float[] wK = model.weights().get("blocks.0.attn.W_K").toFloatArray();
                    assertArrayEquals(Arrays.copyOfRange(wK, 16, 32), rowOneKeys, "c_attn row 1, columns 16..31");
                }
            }
        }
        JsonNode config = Json.MAPPER.readTree(directory.resolve("config.json").toFile());
        assertEquals("gpt2", config.get("model_type").asText(), "model_type");
        assertEquals(16, config.get("n_embd").asInt(), "n_embd");
        assertEquals(32, config.get("n_inner").asInt(), "n_inner");
        assertFalse(config.get("tie_word_embeddings").asBoolean(), "tie_word_embeddings");
    }

    /**
     * Every step hands back all it allocated (activations, loss, and the gradient handles DJL attaches to the
     * weights' manager), evaluations included; DJL's AdamW keeps its state outside that manager.
     */
    @Test
    void nativeArraysStayFlatOverSteps() {
        try (HookedTransformer model = ToyModels.create(SMALL, 3)) {
            NDManager weightsManager = model.weights().embedding().getManager();
            int weights = NativeResources.attachedCount(weightsManager);
            Map<Integer, Integer> attachedAfterStep = new HashMap<>();
            Trainer.builder().steps(30).evaluateEvery(10, m -> SMALL_TASK.score(m, 8, 1).asMetrics()).build()
                    .train(model, SMALL_TASK.batches(4, 3), new TrainingListener() {
                        @Override
                        public void stepped(int step, double loss) {
                            attachedAfterStep.put(step, NativeResources.attachedCount(weightsManager));
                        }
                    });
            assertEquals(weights, attachedAfterStep.get(1), "arrays attached to the weights' manager before training"
                    + " (" + weights + ") and after step 1");
            assertEquals(weights, attachedAfterStep.get(30), "arrays attached to the weights' manager before training"
                    + " (" + weights + ") and after step 30");
        }
    }

    /** Zeroed, frozen MLPs stay zero through training (no update, no weight decay) while attention learns. */
    @Test
    void frozenZeroMlpsKeepTheModelAttentionOnly() {
        try (HookedTransformer model = ToyModels.create(SMALL, 4)) {
            ToyModels.zeroMlps(model);
            float[] queries = model.weights().get("blocks.1.attn.W_Q").toFloatArray();
            Trainer.builder().steps(5).learningRate(1e-2f).freeze(ToyModels::isMlpWeight).build()
                    .train(model, SMALL_TASK.batches(4, 4));
            for (String name : new String[] {"blocks.0.mlp.W_in", "blocks.0.mlp.b_in", "blocks.1.mlp.W_out",
                "blocks.1.mlp.b_out"}) {
                float[] values = model.weights().get(name).toFloatArray();
                assertTrue(allEqual(values, 0f), name + " after training: " + Arrays.toString(
                        Arrays.copyOf(values, 4)));
            }
            assertFalse(Arrays.equals(queries, model.weights().get("blocks.1.attn.W_Q").toFloatArray()),
                    "W_Q of layer 1 was trained");
        }
    }

    @Test
    void aDivergingRunStopsWithTheStepNamed() {
        try (HookedTransformer model = ToyModels.create(SMALL, 3)) {
            model.weights().get("blocks.0.mlp.W_in").muli(Float.NaN);
            TrainingException diverged = assertThrows(TrainingException.class,
                    () -> Trainer.builder().steps(5).build().train(model, SMALL_TASK.batches(2, 1)));
            assertTrue(diverged.getMessage().contains("step 1") && diverged.getMessage().contains("NaN"),
                    diverged.getMessage());
        }
    }

    private static double std(NDArray array) {
        float[] values = array.toFloatArray();
        double sum = 0;
        double squares = 0;
        for (float value : values) {
            sum += value;
            squares += (double) value * value;
        }
        double mean = sum / values.length;
        return Math.sqrt(squares / values.length - mean * mean);
    }

    private static boolean allEqual(float[] values, float expected) {
        for (float value : values) {
            if (value != expected) {
                return false;
            }
        }
        return true;
    }
}
