package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.ReferenceCase;
import dev.arrakis.io.SafetensorsFile;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * F16 compute against HF's f32 references: the error is what half precision costs (documented in docs/models.md),
 * bounded, non-zero, and free of the overflow a f32 mask value would cause in f16 (padded batches stay finite).
 */
class ReducedPrecisionTest {
    static final List<String> CASES = ReferenceCase.ALL_CASES;

    /**
     * binary16 keeps 11 significant bits, so each op rounds by up to 2^-11 relative; over a two-to-four-layer model
     * with logits of magnitude up to about 6 that stays well under 0.05 (the worst case measured is printed).
     */
    static final double F16_LOGIT_BOUND = 5e-2;

    @ParameterizedTest
    @FieldSource("CASES")
    void f16LogitsStayWithinHalfPrecisionOfHf(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        try (SafetensorsFile expected = reference.reference();
                SafetensorsFile padded = reference.paddedReference();
                HookedTransformer model = HookedTransformer.load(reference.directory(), Device.cpu(), Precision.F16)) {
            assertEquals(DataType.FLOAT16, model.weights().get("blocks.0.attn.W_Q").getDataType());
            TokenBatch batch = TokenBatch.of(ReferenceCase.rows(expected, "input_ids"));
            try (ForwardResult result = model.runWithCache(batch, "blocks.0.attn.hook_pattern")) {
                assertEquals(DataType.FLOAT32, result.logits().getDataType(), "logits are handed back in f32");
                assertEquals(DataType.FLOAT32, result.cache().get("blocks.0.attn.hook_pattern").getDataType());
                double diff = ReferenceCase.assertClose(caseName + " f16 logits", expected.info("logits").shape(),
                        expected.readFloats("logits"), result.logits(), F16_LOGIT_BOUND);
                assertTrue(diff > 1e-5, "f16 really computes in half precision (diff " + diff + ")");
                System.out.printf("%s: f16 logits max |diff| vs HF f32 %.2e%n", caseName, diff);
            }
            long[][] ids = ReferenceCase.rows(padded, "input_ids");
            boolean[][] attended = ReferenceCase.attentionMask(padded);
            try (ForwardResult result = model.forward(TokenBatch.withMask(ids, attended))) {
                for (float value : result.logits().toFloatArray()) {
                    assertTrue(Float.isFinite(value), caseName + ": padded f16 logits are finite");
                }
            }
        }
    }

    @Test
    void f16HalvesTheWeightsMemory() {
        ReferenceCase reference = ReferenceCase.of("llama-gqa");
        try (HookedTransformer f32 = HookedTransformer.load(reference.directory());
                HookedTransformer f16 = HookedTransformer.load(reference.directory(), Device.cpu(), Precision.F16)) {
            long full = bytes(f32);
            assertTrue(full > 0, "f32 weights of " + full + " bytes");
            assertEquals(full / 2, bytes(f16));
            assertEquals(List.of(), f16.weights().all().entrySet().stream()
                    .filter(weight -> weight.getValue().getDataType() != DataType.FLOAT16)
                    .map(weight -> weight.getKey() + " " + weight.getValue().getDataType()).toList(),
                    "weights that are not f16");
        }
    }

    private static long bytes(HookedTransformer model) {
        return model.weights().all().values().stream()
                .mapToLong(array -> array.size() * array.getDataType().getNumOfBytes())
                .sum();
    }
}
