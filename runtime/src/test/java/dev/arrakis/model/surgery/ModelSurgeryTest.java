package dev.arrakis.model.surgery;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every edit against a checkpoint re-saved with the same edit applied by hand to the original file's HF tensors
 * ({@link ResavedCheckpoint}): the view's logits equal the re-saved model's to 1e-6, on GPT-2 (fused QKV, learned
 * positions, LayerNorm, biases) and on Llama with grouped-query attention (rotary, RMSNorm, no biases).
 */
class ModelSurgeryTest {
    private static final double TOLERANCE = 1e-6;
    private static final Path GPT2 = Path.of("../models/gpt2-tiny");
    private static final Path LLAMA = ReferenceCase.of("llama-gqa").directory();
    private static final TokenBatch GPT2_TOKENS = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7, 300, 12},
            new long[] {8, 8, 150, 2, 383, 64, 1, 0});
    private static final TokenBatch LLAMA_TOKENS = TokenBatch.of(new long[] {1, 17, 3, 99, 42, 7, 200, 12},
            new long[] {1, 8, 150, 2, 255, 64, 1, 0});

    private static HookedTransformer gpt2;
    private static HookedTransformer llama;
    private static float[] gpt2Before;
    private static float[] llamaBefore;

    @TempDir
    static Path temp;

    @BeforeAll
    static void load() {
        gpt2 = HookedTransformer.load(GPT2);
        llama = HookedTransformer.load(LLAMA);
        gpt2Before = logits(gpt2, GPT2_TOKENS);
        llamaBefore = logits(llama, LLAMA_TOKENS);
    }

    /** Every test builds and runs views; the originals must compute exactly what they did before any of them. */
    @AfterAll
    static void originalsUnchanged() {
        try {
            assertArrayEquals(gpt2Before, logits(gpt2, GPT2_TOKENS), "gpt2-tiny logits after using its views");
            assertArrayEquals(llamaBefore, logits(llama, LLAMA_TOKENS), "llama-gqa logits after using its views");
        } finally {
            gpt2.close();
            llama.close();
        }
    }

    @Test
    void deletingALayerEqualsACheckpointWithoutIt() throws IOException {
        assertViewEqualsResaved(gpt2, GPT2_TOKENS, gpt2Resaved(), List.of(0), s -> s.deleteLayers(1));
        assertViewEqualsResaved(llama, LLAMA_TOKENS, llamaResaved(), List.of(1), s -> s.deleteLayers(0));
    }

    @Test
    void permutingLayersEqualsACheckpointWithThemSwapped() throws IOException {
        assertViewEqualsResaved(gpt2, GPT2_TOKENS, gpt2Resaved(), List.of(1, 0), s -> s.permuteLayers(1, 0));
        assertViewEqualsResaved(llama, LLAMA_TOKENS, llamaResaved(), List.of(1, 0), s -> s.permuteLayers(1, 0));
    }

    @Test
    void duplicatingALayerEqualsACheckpointThatRepeatsIt() throws IOException {
        assertViewEqualsResaved(gpt2, GPT2_TOKENS, gpt2Resaved(), List.of(0, 0, 1), s -> s.duplicateLayer(0));
        assertViewEqualsResaved(llama, LLAMA_TOKENS, llamaResaved(), List.of(0, 1, 1), s -> s.duplicateLayer(1));
    }

    @Test
    void editsComposeInOrder() throws IOException {
        // duplicate 0 -> [0, 0, 1]; then delete the view's layer 2 -> [0, 0]; then swap is the identity on equals
        assertViewEqualsResaved(gpt2, GPT2_TOKENS, gpt2Resaved(), List.of(0, 0),
                s -> s.duplicateLayer(0).deleteLayers(2).permuteLayers(1, 0));
    }

    @Test
    void replacingALayerFromAnotherModelEqualsACheckpointWithThatLayer() throws IOException {
        // The donor is another model of the same shape: the checkpoint re-saved with its layers swapped.
        Path swapped = gpt2Resaved().save(temp.resolve("gpt2-donor"), List.of(1, 0));
        try (HookedTransformer donor = HookedTransformer.load(swapped)) {
            assertViewEqualsResaved(gpt2, GPT2_TOKENS, gpt2Resaved(), List.of(0, 0),
                    s -> s.replaceLayer(1, donor, 1));
        }
    }

    @Test
    void replacingOneWeightEqualsACheckpointWithThatTensorChanged() throws IOException {
        int dMlp = 256;
        int dModel = 64;
        float[] scaled = new float[dMlp * dModel];
        ResavedCheckpoint resaved = gpt2Resaved().edit((tensors, shapes) -> {
            float[] original = tensors.get("transformer.h.1.mlp.c_proj.weight");
            for (int i = 0; i < original.length; i++) {
                scaled[i] = original[i] * -0.5f;
            }
            tensors.put("transformer.h.1.mlp.c_proj.weight", scaled);
        });
        try (ai.djl.ndarray.NDManager manager = ai.djl.ndarray.NDManager.newBaseManager()) {
            NDArray replacement = manager.create(scaled, new ai.djl.ndarray.types.Shape(dMlp, dModel));
            assertViewEqualsResaved(gpt2, GPT2_TOKENS, resaved, List.of(0, 1),
                    s -> s.replaceWeight("blocks.1.mlp.W_out", replacement));
        }
    }

    /**
     * GPT-2's fused c_attn holds Q, K and V column blocks of d_model each, head h at columns h*16..h*16+15 of each;
     * c_proj's rows are the heads' outputs. alpha = 0.3 of head 1 goes into head 2 of layer 0.
     */
    @Test
    void blendingGpt2HeadsEqualsACheckpointBlendedByHand() throws IOException {
        double alpha = 0.3;
        ResavedCheckpoint resaved = gpt2Resaved().edit((tensors, shapes) -> {
            float[] qkv = tensors.get("transformer.h.0.attn.c_attn.weight");
            float[] qkvBias = tensors.get("transformer.h.0.attn.c_attn.bias");
            float[] out = tensors.get("transformer.h.0.attn.c_proj.weight");
            for (int part = 0; part < 3; part++) {
                for (int k = 0; k < 16; k++) {
                    int into = part * 64 + 2 * 16 + k;
                    int from = part * 64 + 16 + k;
                    for (int row = 0; row < 64; row++) {
                        qkv[row * 192 + into] = mix(qkv[row * 192 + into], qkv[row * 192 + from], alpha);
                    }
                    qkvBias[into] = mix(qkvBias[into], qkvBias[from], alpha);
                }
            }
            for (int k = 0; k < 16; k++) {
                for (int column = 0; column < 64; column++) {
                    out[(32 + k) * 64 + column] = mix(out[(32 + k) * 64 + column], out[(16 + k) * 64 + column], alpha);
                }
            }
        });
        assertViewEqualsResaved(gpt2, GPT2_TOKENS, resaved, List.of(0, 1), s -> s.blendHeads(0, 1, 2, alpha));
    }

    /**
     * Llama stores q_proj as [heads*16, 64] (head h at rows h*16..), k_proj and v_proj as [kvHeads*16, 64] and o_proj
     * as [64, heads*16] (head h at columns h*16..). Heads 0 and 3 use key/value heads 0 and 1, so those blend too;
     * heads 0 and 1 share key/value head 0, so only their query and output slices change.
     */
    @Test
    void blendingGroupedQueryHeadsEqualsACheckpointBlendedByHand() throws IOException {
        double alpha = 0.75;
        ResavedCheckpoint acrossGroups = llamaResaved().edit((tensors, shapes) -> {
            blendRows(tensors.get("model.layers.1.self_attn.q_proj.weight"), 0, 3, alpha);
            blendRows(tensors.get("model.layers.1.self_attn.k_proj.weight"), 0, 1, alpha);
            blendRows(tensors.get("model.layers.1.self_attn.v_proj.weight"), 0, 1, alpha);
            blendColumns(tensors.get("model.layers.1.self_attn.o_proj.weight"), 0, 3, alpha);
        });
        assertViewEqualsResaved(llama, LLAMA_TOKENS, acrossGroups, List.of(0, 1), s -> s.blendHeads(1, 0, 3, alpha));
        ResavedCheckpoint withinGroup = llamaResaved().edit((tensors, shapes) -> {
            blendRows(tensors.get("model.layers.0.self_attn.q_proj.weight"), 1, 0, alpha);
            blendColumns(tensors.get("model.layers.0.self_attn.o_proj.weight"), 1, 0, alpha);
        });
        assertViewEqualsResaved(llama, LLAMA_TOKENS, withinGroup, List.of(0, 1), s -> s.blendHeads(0, 1, 0, alpha));
    }

    @Test
    void aViewSharesEveryTensorItLeavesUntouched() {
        try (HookedTransformer view = ModelSurgery.on(gpt2).permuteLayers(1, 0).blendHeads(0, 1, 2, 0.5).build()) {
            for (String name : List.of("ln1.w", "attn.W_Q", "attn.W_O", "mlp.W_in", "mlp.W_out")) {
                assertSame(gpt2.weights().get("blocks.0." + name), view.weights().get("blocks.1." + name),
                        "view blocks.1." + name + " is the original's blocks.0." + name);
            }
            assertSame(gpt2.weights().get("blocks.1.mlp.W_in"), view.weights().get("blocks.0.mlp.W_in"),
                    "view blocks.0.mlp.W_in is the original's blocks.1.mlp.W_in");
            assertSame(gpt2.weights().embedding(), view.weights().embedding(), "embedding shared");
            assertNotSame(gpt2.weights().get("blocks.1.attn.W_Q"), view.weights().get("blocks.0.attn.W_Q"),
                    "the blended W_Q is a new array");
            // The view's own manager holds the 4 blended tensors (W_Q, b_Q, W_O; K/V of the same heads: W_K, b_K,
            // W_V, b_V) plus one per-head view of W_O per layer: 7 + 2.
            assertEquals(9, NativeResources.attachedCount(viewManager(view)),
                    "arrays the view owns: 7 blended tensors and 2 reshaped W_O views");
        }
    }

    @Test
    void aViewsHookPointsAreNumberedAsItsLayers() {
        try (HookedTransformer view = ModelSurgery.on(gpt2).deleteLayers(0).build();
                ForwardResult viewRun = view.runWithCache(GPT2_TOKENS, "blocks.0.hook_resid_post");
                ForwardResult originalRun = gpt2.runWithCache(GPT2_TOKENS, "blocks.0.hook_resid_post")) {
            assertEquals(1, view.config().layers(), "layers of the view");
            assertTrue(!view.hookPoints().contains("blocks.1.hook_resid_pre"),
                    "the view has no blocks.1 after deleting a layer of two");
            assertEquals(List.of(8L, 64L), List.of(viewRun.cache().get("blocks.0.hook_resid_post").getShape()
                    .get(1), viewRun.cache().get("blocks.0.hook_resid_post").getShape().get(2)),
                    "shape of the view's blocks.0.hook_resid_post");
            // The view's only layer is the original's layer 1, fed the embedding instead of layer 0's output.
            float[] viewResid = viewRun.cache().get("blocks.0.hook_resid_post").toFloatArray();
            float[] originalResid = originalRun.cache().get("blocks.0.hook_resid_post").toFloatArray();
            assertTrue(!java.util.Arrays.equals(viewResid, originalResid),
                    "the view's blocks.0 is not the original's blocks.0");
        }
    }

    @Test
    void badEditsNameTheValueAtFault() {
        SurgeryException twice = assertThrows(SurgeryException.class,
                () -> ModelSurgery.on(gpt2).permuteLayers(0, 0));
        assertEquals("[Experiment/Edit] layer 0 is listed twice in permuteLayers", twice.getMessage());
        SurgeryException range = assertThrows(SurgeryException.class, () -> ModelSurgery.on(gpt2).deleteLayers(2));
        assertEquals("[Experiment/LayerRange] layer 2 does not exist in gpt2-tiny (layers 0..1)", range.getMessage());
        SurgeryException short_ = assertThrows(SurgeryException.class,
                () -> ModelSurgery.on(gpt2).duplicateLayer(0).permuteLayers(2, 0));
        assertEquals("[Experiment/Permutation] [2, 0] is not a permutation of the 3 layers of gpt2-tiny: layers 1"
                + " are missing", short_.getMessage());
        SurgeryException all = assertThrows(SurgeryException.class, () -> ModelSurgery.on(gpt2).deleteLayers(1, 0));
        assertEquals("[Experiment/Edit] deleting layers [1, 0] leaves gpt2-tiny without a layer; a model keeps at"
                + " least one", all.getMessage());
        SurgeryException self = assertThrows(SurgeryException.class,
                () -> ModelSurgery.on(gpt2).blendHeads(0, 2, 2, 0.5));
        assertEquals("[Experiment/BlendHeads] head 2 cannot be blended into itself; 'into' names another head of"
                + " layer 0", self.getMessage());
        SurgeryException weight = assertThrows(SurgeryException.class,
                () -> ModelSurgery.on(gpt2).replaceWeight("blocks.0.attn.W_q", gpt2.weights().get("blocks.0.attn.W_Q")));
        assertTrue(weight.getMessage().startsWith("no weight 'blocks.0.attn.W_q' in gpt2-tiny")
                && weight.getMessage().contains("blocks.0.attn.W_Q"), weight.getMessage());
        SurgeryException donor = assertThrows(SurgeryException.class,
                () -> ModelSurgery.on(gpt2).replaceLayer(0, llama, 0));
        assertTrue(donor.getMessage().contains("its blocks have another shape"), donor.getMessage());
    }

    private static void assertViewEqualsResaved(HookedTransformer original, TokenBatch tokens,
            ResavedCheckpoint resaved, List<Integer> order, Function<ModelSurgery, ModelSurgery> edit)
            throws IOException {
        Path directory = resaved.save(temp.resolve("resaved-" + System.nanoTime()), order);
        float[] expected;
        try (HookedTransformer reference = HookedTransformer.load(directory)) {
            expected = logits(reference, tokens);
        }
        float[] actual;
        try (HookedTransformer view = edit.apply(ModelSurgery.on(original)).build()) {
            assertEquals(order.size(), view.config().layers(), "layers of the view");
            actual = logits(view, tokens);
        }
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(worst <= TOLERANCE, "largest |view - re-saved| logit difference " + worst + " for layers "
                + order + " of " + original.source());
    }

    private static ai.djl.ndarray.NDManager viewManager(HookedTransformer view) {
        return view.weights().block(0).outputByHead().getManager();
    }

    private static ResavedCheckpoint gpt2Resaved() {
        return new ResavedCheckpoint(GPT2, "transformer.h.", "n_layer");
    }

    private static ResavedCheckpoint llamaResaved() {
        return new ResavedCheckpoint(LLAMA, "model.layers.", "num_hidden_layers");
    }

    private static float[] logits(HookedTransformer model, TokenBatch tokens) {
        try (ForwardResult result = model.forward(tokens)) {
            return result.logits().toFloatArray();
        }
    }

    private static float mix(float into, float from, double alpha) {
        return (float) ((1 - alpha) * into + alpha * from);
    }

    /** Rows {@code into*16..} of a [n*16, 64] projection become the mix with rows {@code from*16..}. */
    private static void blendRows(float[] weight, int from, int into, double alpha) {
        for (int k = 0; k < 16; k++) {
            for (int column = 0; column < 64; column++) {
                int target = (into * 16 + k) * 64 + column;
                weight[target] = mix(weight[target], weight[(from * 16 + k) * 64 + column], alpha);
            }
        }
    }

    /** Columns {@code into*16..} of a [64, 64] o_proj become the mix with columns {@code from*16..}. */
    private static void blendColumns(float[] weight, int from, int into, double alpha) {
        for (int row = 0; row < 64; row++) {
            for (int k = 0; k < 16; k++) {
                int target = row * 64 + into * 16 + k;
                weight[target] = mix(weight[target], weight[row * 64 + from * 16 + k], alpha);
            }
        }
    }
}
