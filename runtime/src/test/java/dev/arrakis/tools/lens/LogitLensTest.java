package dev.arrakis.tools.lens;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.TlReference;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The logit lens equals {@code apply_ln_to_stack(accumulated_resid()) @ W_U + b_U} (cached scale) and
 * {@code accumulated_resid(apply_ln=True) @ W_U + b_U} (recomputed norm) of TransformerLens 3.2.1 with folded norms,
 * within 1e-4 in f32.
 */
class LogitLensTest {
    static List<String> cases() {
        return TlReference.CASES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void layerLogitsEqualTransformerLens(String caseName) {
        try (TlReference reference = TlReference.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                NDManager manager = NDManager.newBaseManager()) {
            for (FinalNorm norm : FinalNorm.values()) {
                String key = norm == FinalNorm.CACHED_SCALE ? "lens_cached" : "lens_recomputed";
                try (ForwardResult pass = model.runWithCache(TokenBatch.of(reference.rows("input_ids")),
                        LogitLens.requiredHooks(model.hookPoints(), norm).toArray(String[]::new))) {
                    LayerLogits lens = LogitLens.read(model, pass.cache(), norm, manager);
                    reference.assertLabels(key, lens.labels());
                    assertClose(caseName + " " + key, reference.shape(key), reference.floats(key), lens.array(), 1e-4);
                    assertClose(caseName + " " + norm + " final_post vs the model's logits",
                            pass.logits().getShape().getShape(), pass.logits().toFloatArray(),
                            lens.array().get("-1"), 1e-5);
                }
            }
        }
    }

    /** The two norms differ before the last layer: the cached scale is the final residual's, not layer 0's. */
    @Test
    void cachedScaleAndRecomputedNormDifferBeforeTheEnd() {
        try (TlReference reference = TlReference.of("gpt2-tiny")) {
            float[] cached = reference.floats("lens_cached");
            float[] recomputed = reference.floats("lens_recomputed");
            double largest = 0;
            for (int i = 0; i < cached.length / 3; i++) {
                largest = Math.max(largest, Math.abs(cached[i] - recomputed[i]));
            }
            assertEquals(true, largest > 0.1, "0_pre logits differ by at most " + largest + " between the norms");
        }
    }

    @Test
    void topKAndScoresReadTheLensLogits() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.runWithCache(TokenBatch.of(reference.rows("input_ids")),
                        LogitLens.requiredHooks(model.hookPoints(), FinalNorm.RECOMPUTED).toArray(String[]::new));
                NDManager manager = NDManager.newBaseManager()) {
            LayerLogits lens = LogitLens.read(model, pass.cache(), FinalNorm.RECOMPUTED, manager);
            float[] expected = reference.floats("lens_recomputed");
            int vocab = 384;
            // layer 1_pre (index 1), example 1, position 5 in the reference's [layer, batch, pos, vocab]
            int offset = ((1 * 2 + 1) * 8 + 5) * vocab;
            int best = 0;
            int second = -1;
            for (int t = 1; t < vocab; t++) {
                if (expected[offset + t] > expected[offset + best]) {
                    second = best;
                    best = t;
                } else if (second < 0 || expected[offset + t] > expected[offset + second]) {
                    second = t;
                }
            }
            List<TokenScore> top = lens.topK("1_pre", 1, 5, 2);
            assertEquals(List.of((long) best, (long) second), top.stream().map(TokenScore::token).toList(),
                    "top-2 ids of 1_pre at (1, 5)");
            assertEquals(expected[offset + best], top.get(0).logit(), 1e-4, "top logit");
            assertEquals(model.requireTokenizer().toStrTokens(new long[] {best}).get(0), top.get(0).text(),
                    "top token's text");
            TokenScore second2 = lens.score("1_pre", 1, 5, second);
            assertEquals(1, second2.rank(), "rank of the second token");
            assertEquals(top.get(1).probability(), second2.probability(), 0, "probability of the second token");
            List<TokenScore> byLayer = lens.scores(1, 5, best);
            assertEquals(List.of("0_pre", "1_pre", "final_post"), lens.labels(), "labels");
            assertEquals(0, byLayer.get(1).rank(), "rank of the best token at 1_pre");
            TokenScore[][] everywhere = lens.scores(0, 42);
            for (int layer = 0; layer < 3; layer++) {
                for (int position = 0; position < 8; position++) {
                    float reference42 = expected[((layer * 2) * 8 + position) * vocab + 42];
                    assertEquals(reference42, everywhere[layer][position].logit(), 1e-4,
                            "logit of token 42 at layer " + layer + ", position " + position);
                }
            }
        }
    }

    @Test
    void vocabularyRanksAndProbabilitiesByHand() {
        Vocabulary vocabulary = new Vocabulary(null, 4);
        float[] logits = {1f, 3f, 2f, 3f};
        // softmax of (1, 3, 2, 3): e^x / (e + 2e^3 + e^2)
        double total = Math.E + 2 * Math.exp(3) + Math.exp(2);
        List<TokenScore> top = vocabulary.topK(logits, 3);
        assertEquals(List.of(new TokenScore(1, "#1", 0, 3f, (float) (Math.exp(3) / total)),
                new TokenScore(3, "#3", 0, 3f, (float) (Math.exp(3) / total)),
                new TokenScore(2, "#2", 2, 2f, (float) (Math.exp(2) / total))), top, "top-3 of (1, 3, 2, 3)");
        assertEquals(new TokenScore(0, "#0", 3, 1f, (float) (Math.E / total)), vocabulary.score(logits, 0),
                "score of token 0");
        LensException outside = assertThrows(LensException.class, () -> vocabulary.score(logits, 4));
        assertEquals("token 4 is outside the vocabulary (0..3)", outside.getMessage());
        LensException badK = assertThrows(LensException.class, () -> vocabulary.topK(logits, 0));
        assertEquals("top-k needs 1 <= k <= 4 (the vocabulary), got 0", badK.getMessage());
    }

    @Test
    void allocatesOnlyTheReturnedLogits() {
        try (TlReference reference = TlReference.of("llama-gqa");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.runWithCache(TokenBatch.of(reference.rows("input_ids")),
                        LogitLens.requiredHooks(model.hookPoints(), FinalNorm.CACHED_SCALE).toArray(String[]::new));
                NDManager manager = NDManager.newBaseManager()) {
            NDManager cacheManager = pass.cache().get("ln_final.hook_scale").getManager();
            NDManager weightManager = model.weights().embedding().getManager();
            int cached = NativeResources.attachedCount(cacheManager);
            int weights = NativeResources.attachedCount(weightManager);
            for (FinalNorm norm : FinalNorm.values()) {
                LayerLogits lens = LogitLens.read(model, pass.cache(), norm, manager);
                lens.topK(0, -1, 3);
                lens.scores(1, 2, 7);
                assertEquals(1, NativeResources.attachedCount(manager), norm + ": arrays in the caller's manager "
                        + "after reading top-k and scores");
                lens.array().close();
            }
            assertEquals(cached, NativeResources.attachedCount(cacheManager), "arrays in the cache's manager");
            assertEquals(weights, NativeResources.attachedCount(weightManager), "arrays in the model's manager");
        }
    }
}
