package dev.arrakis.spec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each family's config keys and defaults, as its HF configuration class reads them, and the frequencies of every
 * rope scaling against values worked out by hand (or printed by HF for the reference cases).
 */
class FamilyConfigTest {

    private static Map<String, Object> llamaLike(String modelType, int layers) {
        Map<String, Object> config = new HashMap<>();
        config.put("model_type", modelType);
        config.put("hidden_size", 64);
        config.put("num_attention_heads", 4);
        config.put("num_hidden_layers", layers);
        config.put("intermediate_size", 96);
        config.put("vocab_size", 256);
        config.put("max_position_embeddings", 32);
        return config;
    }

    private static ModelDescription describe(Map<String, Object> config) {
        return ConfigShapes.describe(new ConfigReader(config, "config.json"));
    }

    private static String problem(Map<String, Object> config) {
        return assertThrows(ModelConfigException.class, () -> describe(config)).getMessage();
    }

    @Test
    void gptNeoExpandsAttentionTypesIntoLocalWindowsAndDoesNotScaleScores() {
        Map<String, Object> config = new HashMap<>(Map.of("model_type", "gpt_neo", "hidden_size", 64, "num_heads", 4,
                "num_layers", 4, "vocab_size", 256, "max_position_embeddings", 32, "window_size", 3,
                "attention_types", List.of(List.of(List.of("global", "local"), 2))));
        ModelDescription neo = describe(config);
        assertEquals(List.of(0, 3, 0, 3), neo.numerics().attentionWindows());
        assertEquals(1.0, neo.numerics().attentionScale());
        assertEquals(256, neo.config().dMlp(), "intermediate_size null means 4 * hidden_size");
        config.put("attention_types", List.of(List.of(List.of("global", "local"), 1)));
        assertEquals("model config config.json: 'attention_types' gives 2 layers but num_layers is 4",
                problem(config));
        config.put("attention_types", List.of(List.of(List.of("global", "nearby"), 2)));
        assertEquals("model config config.json: attention type 'nearby' is neither 'global' nor 'local'",
                problem(config));
    }

    @Test
    void gptNeoXReadsPartialRotaryAndParallelResidualWithTheirDefaults() {
        Map<String, Object> config = llamaLike("gpt_neox", 2);
        ModelDescription pythia = describe(config);
        assertEquals(4, pythia.numerics().rotary().dimensions(), "rotary_pct defaults to 0.25 of d_head 16");
        assertTrue(pythia.config().architecture().parallelAttentionMlp(), "use_parallel_residual defaults to true");
        assertEquals(Architecture.Activation.GELU_EXACT, pythia.config().architecture().activation());
        config.put("rotary_pct", 0.5);
        config.put("rotary_emb_base", 500);
        config.put("use_parallel_residual", false);
        ModelDescription sequential = describe(config);
        assertEquals(8, sequential.numerics().rotary().dimensions());
        assertEquals(500, sequential.numerics().rotary().theta());
        assertFalse(sequential.config().architecture().parallelAttentionMlp(), "use_parallel_residual false");
        assertFalse(new HookPoints(pythia.config()).contains("blocks.0.hook_resid_mid"),
                "a parallel block has no blocks.0.hook_resid_mid");
        assertTrue(new HookPoints(sequential.config()).contains("blocks.0.hook_resid_mid"),
                "a sequential block has blocks.0.hook_resid_mid");
    }

    @Test
    void slidingWindowsFollowEachFamilysRule() {
        Map<String, Object> mistral = llamaLike("mistral", 2);
        mistral.put("sliding_window", 3);
        assertEquals(List.of(3, 3), describe(mistral).numerics().attentionWindows());
        mistral.put("sliding_window", null);
        assertEquals(List.of(0, 0), describe(mistral).numerics().attentionWindows());

        Map<String, Object> qwen = llamaLike("qwen2", 3);
        qwen.put("sliding_window", 5);
        qwen.put("max_window_layers", 1);
        assertEquals(List.of(0, 0, 0), describe(qwen).numerics().attentionWindows(), "use_sliding_window is off");
        qwen.put("use_sliding_window", true);
        assertEquals(List.of(0, 5, 5), describe(qwen).numerics().attentionWindows());

        Map<String, Object> gemma2 = llamaLike("gemma2", 4);
        gemma2.put("sliding_window", 3);
        assertEquals(List.of(3, 0, 3, 0), describe(gemma2).numerics().attentionWindows(), "even layers slide");
        gemma2.put("layer_types", List.of("full_attention", "full_attention", "sliding_attention", "full_attention"));
        assertEquals(List.of(0, 0, 3, 0), describe(gemma2).numerics().attentionWindows(), "layer_types wins");
        gemma2.put("layer_types", List.of("full_attention", "chunked_attention", "full_attention", "full_attention"));
        assertEquals("model config config.json: layer type 'chunked_attention' is not supported (sliding_attention"
                + " and full_attention are)", problem(gemma2));
    }

    @Test
    void gemma2ScalesQueriesByItsScalarCapsScoresAndLogitsAndScalesTheEmbedding() {
        Map<String, Object> config = llamaLike("gemma2", 2);
        config.put("hidden_size", 48);
        config.put("head_dim", 16);
        config.put("query_pre_attn_scalar", 24);
        config.put("attn_logit_softcapping", 5.0);
        config.put("final_logit_softcapping", 3.0);
        ModelDescription gemma2 = describe(config);
        assertEquals(Math.sqrt(24), gemma2.numerics().attentionScale());
        assertEquals(5.0, gemma2.numerics().attentionSoftcap());
        assertEquals(3.0, gemma2.numerics().finalLogitSoftcap());
        assertEquals(Math.sqrt(48), gemma2.numerics().embeddingMultiplier());
        assertEquals(16, gemma2.config().dHead(), "head_dim need not be hidden_size / heads");
        assertTrue(gemma2.config().architecture().postNorms(), "gemma2 has post-norms: " + gemma2.config());
        assertTrue(new HookPoints(gemma2.config()).contains("blocks.1.ln2_post.hook_normalized"),
                "gemma2 has blocks.1.ln2_post.hook_normalized");
        assertEquals(1e-6, gemma2.config().normEps());
        HookPoints points = new HookPoints(gemma2.config());
        assertEquals("blocks.1.attn.hook_rot_q", points.actName("rot_q", 1));
        assertEquals("blocks.0.mlp.hook_pre_linear", points.actName("pre_linear", 0));
    }

    @Test
    void stableLmUsesLayerNormAQuarterOfTheHeadForRotaryAndRejectsQkNorms() {
        Map<String, Object> config = llamaLike("stablelm", 2);
        ModelDescription stablelm = describe(config);
        assertEquals(Architecture.Normalization.LAYER_NORM, stablelm.config().architecture().normalization());
        assertEquals(4, stablelm.numerics().rotary().dimensions());
        assertFalse(stablelm.config().architecture().parallelAttentionMlp(), "use_parallel_residual defaults to false");
        config.put("qk_layernorm", true);
        assertEquals("model config config.json: 'qk_layernorm' true (per-head query and key norms) is not supported",
                problem(config));
    }

    @Test
    void ropeScalingTypesAreReadAndUnknownOnesNamed() {
        Map<String, Object> config = llamaLike("llama", 1);
        config.put("rope_scaling", Map.of("rope_type", "linear", "factor", 2.0));
        assertEquals(new Rotary.Linear(2.0), describe(config).numerics().rotary().scaling());
        config.put("rope_scaling", Map.of("type", "dynamic", "factor", 2.0));
        ModelDescription dynamic = describe(config);
        assertEquals(new Rotary.DynamicNtk(2.0, 32), dynamic.numerics().rotary().scaling());
        assertEquals(64, dynamic.config().contextLength(), "dynamic scaling runs up to factor times the context");
        config.put("rope_scaling", Map.of("rope_type", "su", "factor", 4.0));
        assertEquals("model config config.json 'rope_scaling': rope type 'su' is not supported (default, linear,"
                + " dynamic, llama3, longrope and yarn are)", problem(config));
        config.put("rope_scaling", Map.of("rope_type", "llama3", "factor", 8.0));
        assertEquals("model config config.json 'rope_scaling': no 'low_freq_factor'", problem(config));
        config.put("rope_scaling", Map.of("rope_type", "linear", "factor", 0.5));
        assertEquals("model config config.json 'rope_scaling': 'factor' must be at least 1, got 0.5",
                problem(config));
    }

    @Test
    void longRopeTakesItsAttentionFactorFromTheContextGrowthAndChecksFactorCounts() {
        Map<String, Object> config = llamaLike("phi3", 1);
        config.put("max_position_embeddings", 16);
        config.put("original_max_position_embeddings", 4);
        config.put("partial_rotary_factor", 0.5);
        config.put("rope_scaling", Map.of("type", "longrope", "short_factor", List.of(1.0, 1.25, 1.5, 1.75),
                "long_factor", List.of(1.0, 1.5, 2.0, 2.5)));
        Rotary rotary = describe(config).numerics().rotary();
        assertEquals(8, rotary.dimensions());
        Rotary.LongRope longRope = assertInstanceOf(Rotary.LongRope.class, rotary.scaling());
        // sqrt(1 + ln(16 / 4) / ln(4)) = sqrt(2)
        assertEquals(Math.sqrt(2), longRope.attentionFactor(), 1e-12);
        double base = 1 / Math.pow(10000, 2.0 / 8);
        assertEquals(base / 1.25, rotary.frequencies(4).inverseFrequencies()[1], 1e-12, "short up to 4 positions");
        assertEquals(base / 1.5, rotary.frequencies(5).inverseFrequencies()[1], 1e-12, "long beyond");
        config.put("rope_scaling", Map.of("type", "longrope", "short_factor", List.of(1.0), "long_factor",
                List.of(1.0, 1.5, 2.0, 2.5)));
        assertEquals("model config config.json 'rope_scaling': 'short_factor' and 'long_factor' need 4 numbers each"
                + " (half the rotary dimensions), got 1", problem(config));
    }

    @Test
    void defaultAndLinearFrequenciesByHand() {
        Rotary rotary = new Rotary(4, 10000, new Rotary.Unscaled());
        assertArrayEquals(new double[] {1, 0.01}, rotary.frequencies(8).inverseFrequencies(), 1e-15);
        Rotary linear = new Rotary(4, 10000, new Rotary.Linear(2));
        assertArrayEquals(new double[] {0.5, 0.005}, linear.frequencies(8).inverseFrequencies(), 1e-15);
    }

    @Test
    void dynamicNtkGrowsTheBaseOnlyPastTheOriginalContext() {
        Rotary rotary = new Rotary(16, 10000, new Rotary.DynamicNtk(2, 6));
        assertEquals(Math.pow(10000, -2.0 / 16), rotary.frequencies(6).inverseFrequencies()[1], 1e-15);
        // HF's _compute_dynamic_ntk_parameters printed base 17928.396 for 8 positions, factor 2, context 6
        assertEquals(Math.pow(17928.396, -2.0 / 16), rotary.frequencies(8).inverseFrequencies()[1], 1e-8);
    }

    @Test
    void yarnKeepsFastDimensionsInterpolatesSlowOnesAndRampsBetween() {
        Map<String, Object> config = llamaLike("qwen2", 1);
        config.put("max_position_embeddings", 128);
        config.put("rope_scaling", Map.of("rope_type", "yarn", "factor", 4.0, "original_max_position_embeddings", 32));
        ModelDescription qwen = describe(config);
        Rotary.Yarn yarn = assertInstanceOf(Rotary.Yarn.class, qwen.numerics().rotary().scaling());
        // 0.1 ln 4 + 1
        assertEquals(1.1386294361, yarn.attentionFactor(), 1e-9);
        assertEquals(128, qwen.config().contextLength());
        // correction dims for 32 and 1 rotations over 32 positions: -1.60 and 1.41, truncated to 0 and 2, so the
        // ramp is (i - 0) / 2: dimension 0 kept, 1 half interpolated, 2 and up divided by 4
        double[] inverse = qwen.numerics().rotary().frequencies(8).inverseFrequencies();
        double[] unscaled = new Rotary(16, 10000, new Rotary.Unscaled()).frequencies(8).inverseFrequencies();
        assertEquals(unscaled[0], inverse[0], 1e-15);
        assertEquals(unscaled[1] / 4 * 0.5 + unscaled[1] * 0.5, inverse[1], 1e-15);
        for (int i = 2; i < 8; i++) {
            assertEquals(unscaled[i] / 4, inverse[i], 1e-18);
        }
    }

    @Test
    void llama3KeepsShortWavelengthsDividesLongOnesAndSmoothsBetween() {
        Rotary rotary = new Rotary(16, 500000, new Rotary.Llama3(8, 1, 4, 64));
        double[] inverse = rotary.frequencies(8).inverseFrequencies();
        double[] unscaled = new Rotary(16, 500000, new Rotary.Unscaled()).frequencies(8).inverseFrequencies();
        // wavelength 2π < 64 / 4: kept
        assertEquals(unscaled[0], inverse[0], 0);
        // wavelength 2π / 500000^(-1/8) = 32.40, between 16 and 64: s = (64 / 32.40 - 1) / 3 = 0.3251
        double s = (64 / (2 * Math.PI / unscaled[1]) - 1) / 3;
        assertEquals(0.3251, s, 1e-4);
        assertEquals((1 - s) * unscaled[1] / 8 + s * unscaled[1], inverse[1], 1e-15);
        for (int i = 2; i < 8; i++) {
            assertEquals(unscaled[i] / 8, inverse[i], 1e-18, "wavelength above 64: divided by 8");
        }
    }
}
