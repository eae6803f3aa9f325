package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.io.SafetensorsWriter;
import dev.arrakis.io.TensorData;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LayerSurgery's numbers, each recomputed on the ORIGINAL model by another route: a deleted block is a block whose
 * output is its input (two hooks), a reordered or repeated stack is a checkpoint re-saved with the HF tensors renamed
 * by hand, and a head turned into a copy of another is the original with that head's output (hook_result) overwritten by
 * the other's.
 */
class LayerSurgeryTest {
    private static final double TOLERANCE = 1e-5;
    private static final Path CHECKPOINT = Path.of("../models/induction-2l");
    /** How the checkpoint names a layer's tensors, as HF's save_pretrained writes GPT-2: transformer.h.0.ln_1.weight. */
    private static final String LAYER_PREFIX = "transformer.h.";

    private static HookedTransformer model;
    private static ExperimentRunner runner;
    private static TokenBatch repeated;

    @TempDir
    static Path temp;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(CHECKPOINT);
        runner = ExperimentRunner.open(ExperimentRegistry.load(LayerSurgeryTest.class.getClassLoader())
                .find("LayerSurgery"), RunnerOptions.defaults().withModel(model));
        repeated = new LayerSurgery().repeated();
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    private static double value(String run) {
        return ((Number) runner.run(run, Map.of()).values().get(0)).doubleValue();
    }

    @Test
    void deletingALayerIsRunningItAsTheIdentity() {
        assertEquals(lossWithIdentityBlock(0), value("withoutLayer0"), TOLERANCE, "withoutLayer0");
        assertEquals(lossWithIdentityBlock(1), value("withoutLayer1"), TOLERANCE, "withoutLayer1");
        double original = value("original");
        assertEquals(lossOf(model, RunOptions.none()), original, TOLERANCE, "original");
        // Both layers are needed: without either, the repeat is predicted worse than the trained model by far.
        assertEquals(0.313, original, 0.001, "original repeated-half loss");
    }

    @Test
    void reorderingAndRepeatingLayersEqualCheckpointsRenamedByHand() throws IOException {
        try (HookedTransformer swapped = HookedTransformer.load(resaved(List.of(1, 0)));
                HookedTransformer doubled = HookedTransformer.load(resaved(List.of(0, 0, 1)))) {
            assertEquals(lossOf(swapped, RunOptions.none()), value("layersSwapped"), TOLERANCE, "layersSwapped");
            assertEquals(lossOf(doubled, RunOptions.none()), value("layer0Twice"), TOLERANCE, "layer0Twice");
        }
    }

    @Test
    void aHeadCopiedByBlendingIsTheOriginalWithThatHeadsOutputOverwritten() {
        // hook_result is each head's output [batch, pos, head, d_model]: z times the head's own W_O rows
        double overwritten = lossOf(model, RunOptions.none().withHook("blocks.1.attn.hook_result",
                (result, context) -> {
                    NDArray copied = result.duplicate();
                    copied.set(new NDIndex(":, :, 3, :"), result.get(new NDIndex(":, :, 1, :")));
                    return copied;
                }));
        assertEquals(overwritten, value("l1h3CopiesL1h1"), TOLERANCE, "l1h3CopiesL1h1");
        double[] sweep = ((ArrayValue) runner.run("blendingL1H1IntoL1H3", Map.of()).values().get(0)).values();
        assertEquals(LayerSurgery.ALPHAS.length, sweep.length, "one loss per alpha");
        assertEquals(lossOf(model, RunOptions.none()), sweep[0], TOLERANCE, "alpha 0 leaves the model as it was");
        assertEquals(overwritten, sweep[sweep.length - 1], TOLERANCE, "alpha 1 makes L1H3 a copy of L1H1");
    }

    /** Block {@code layer}'s output replaced by its input: its resid_pre kept by one hook, returned by the next. */
    private static double lossWithIdentityBlock(int layer) {
        NDArray[] input = new NDArray[1];
        return lossOf(model, RunOptions.none()
                .withHook("blocks." + layer + ".hook_resid_pre", (resid, context) -> {
                    input[0] = resid;
                    return resid;
                })
                .withHook("blocks." + layer + ".hook_resid_post", (resid, context) -> input[0]));
    }

    private static double lossOf(HookedTransformer from, RunOptions options) {
        try (ForwardResult pass = from.run(repeated, options)) {
            return InductionHeads.repeatLoss(new Logits(pass.logits()), repeated);
        }
    }

    /** The checkpoint's HF tensors with layer {@code i} taken from {@code order.get(i)}, and n_layer to match. */
    private static Path resaved(List<Integer> order) throws IOException {
        Path directory = Files.createDirectories(temp.resolve("induction-" + order));
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        try (SafetensorsFile file = SafetensorsFile.open(CHECKPOINT.resolve("model.safetensors"))) {
            for (String name : file.names()) {
                if (!name.startsWith(LAYER_PREFIX)) {
                    tensors.put(name, TensorData.f32(file.info(name).shape(), file.readFloats(name)));
                }
            }
            for (int layer = 0; layer < order.size(); layer++) {
                String from = LAYER_PREFIX + order.get(layer) + ".";
                for (String name : file.names()) {
                    if (name.startsWith(from)) {
                        tensors.put(LAYER_PREFIX + layer + "." + name.substring(from.length()),
                                TensorData.f32(file.info(name).shape(), file.readFloats(name)));
                    }
                }
            }
        }
        SafetensorsWriter.write(directory.resolve("model.safetensors"), tensors, Map.of());
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(CHECKPOINT.resolve("config.json").toFile());
        config.put("n_layer", order.size());
        json.writeValue(directory.resolve("config.json").toFile(), config);
        return directory;
    }
}
