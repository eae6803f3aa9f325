package dev.arrakis.model;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code ln*.hook_normalized} means what TransformerLens means by it: the input centred (LayerNorm) and divided by
 * {@code hook_scale}, before the gain and the bias, which apply to whatever the hook hands back.
 */
class NormHookTest {
    static final double TOLERANCE = 1e-5;

    /** Reference from {@code tools/reference/tl_norms.py}: TransformerLens's unprocessed model. */
    @ParameterizedTest
    @CsvSource({"gpt2-tiny, gpt2-prefixed", "llama-gqa, llama-gqa"})
    void normHooksEqualTransformerLensUnprocessedModel(String referenceName, String caseName) {
        try (SafetensorsFile expected = SafetensorsFile.open(Path.of("src/test/resources/reference/tools/norms",
                        referenceName + ".safetensors").toAbsolutePath());
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory(),
                        Device.cpu(), Precision.F32)) {
            List<String> hooks = new ArrayList<>();
            for (String name : expected.names()) {
                if (name.contains("hook_")) {
                    hooks.add(name);
                }
            }
            assertEquals(2 * (2 * model.config().layers() + 1), hooks.size(), "reference norm hooks: " + hooks);
            try (ForwardResult result = model.runWithCache(
                    TokenBatch.of(ReferenceCase.rows(expected, "input_ids")), hooks.toArray(String[]::new))) {
                double worst = assertClose(referenceName + " logits", expected.info("logits").shape(),
                        expected.readFloats("logits"), result.logits(), 1e-4);
                for (String hook : hooks) {
                    worst = Math.max(worst, assertClose(referenceName + " " + hook, expected.info(hook).shape(),
                            expected.readFloats(hook), result.cache().get(hook), TOLERANCE));
                }
                System.out.printf("%s unprocessed: worst |diff| vs TransformerLens over logits and %d norm hooks"
                        + " %.2e%n", referenceName, hooks.size(), worst);
            }
        }
    }

    /**
     * Replacing the final norm's {@code hook_normalized} by ones leaves {@code (w + b)} (LayerNorm) or {@code w}
     * (RMSNorm) as every position's final residual, so each logit is {@code Σ_d (w[d] + b[d]) · W_U[d, v]}, computed
     * here from the checkpoint's own tensors.
     */
    @ParameterizedTest
    @CsvSource({"gpt2-prefixed, transformer.ln_f.weight, transformer.ln_f.bias, transformer.wte.weight",
            "llama-gqa, model.norm.weight, '', lm_head.weight"})
    void aReplacedNormalizedValueFlowsThroughGainAndBias(String caseName, String gainName, String biasName,
            String unembeddingName) {
        Path directory = ReferenceCase.of(caseName).directory();
        float[] expected;
        try (SafetensorsFile checkpoint = SafetensorsFile.open(directory.resolve("model.safetensors"))) {
            float[] gain = checkpoint.readFloats(gainName);
            float[] bias = biasName.isEmpty() ? new float[gain.length] : checkpoint.readFloats(biasName);
            float[] unembedding = checkpoint.readFloats(unembeddingName); // [vocab, d_model], as HF stores it
            int dModel = gain.length;
            expected = new float[unembedding.length / dModel];
            for (int v = 0; v < expected.length; v++) {
                double logit = 0;
                for (int d = 0; d < dModel; d++) {
                    logit += (gain[d] + bias[d]) * (double) unembedding[v * dModel + d];
                }
                expected[v] = (float) logit;
            }
        }
        try (HookedTransformer model = HookedTransformer.load(directory);
                ForwardResult result = model.run(TokenBatch.of(new long[] {3, 1, 4, 1, 5}), RunOptions.none()
                        .withHook("ln_final.hook_normalized", (normalized, context) -> normalized.onesLike()))) {
            int vocab = expected.length;
            float[] logits = result.logits().toFloatArray();
            for (int position = 0; position < 5; position++) {
                float[] row = new float[vocab];
                System.arraycopy(logits, position * vocab, row, 0, vocab);
                assertClose(caseName + " logits at position " + position + " with ln_final.hook_normalized = 1",
                        expected, row, 1e-4);
            }
        }
    }

    /**
     * libtorch's fused LayerNorm runs only when no norm point is hooked; reading both points (which computes every
     * norm op by op) must not change the logits.
     */
    @Test
    void fusedLayerNormGivesTheLogitsOfTheHookedNorm() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory());
                SafetensorsFile reference = ReferenceCase.of("gpt2-prefixed").reference()) {
            TokenBatch batch = TokenBatch.of(ReferenceCase.rows(reference, "input_ids"));
            try (ForwardResult fused = model.forward(batch);
                    ForwardResult hooked = model.run(batch, RunOptions.none().withCacheFilter(
                            name -> name.endsWith(".hook_normalized") || name.endsWith(".hook_scale")))) {
                assertEquals(2 * (2 * model.config().layers() + 1), hooked.cache().size(),
                        "norm points read: " + hooked.cache().names());
                double worst = assertClose("gpt2-prefixed logits, fused norms vs hooked norms",
                        hooked.logits().getShape().getShape(), hooked.logits().toFloatArray(), fused.logits(),
                        TOLERANCE);
                System.out.printf("fused vs op-by-op LayerNorm: worst logit |diff| %.2e%n", worst);
            }
        }
    }
}
