package dev.arrakis.tools.gradients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.HookedTransformer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gradient cache equals what TransformerLens's backward hooks receive on the same weights and tokens
 * ({@code tools/reference/tl_gradients.py}), at every hook point the script recorded, to 1e-4.
 */
class GradientReferenceTest {

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-gqa"})
    void gradientCacheEqualsTransformerLensBackwardHooks(String caseName) {
        try (TlGradients reference = TlGradients.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint())) {
            List<String> hooks = hooksOf(model.config().layers());
            try (GradientCache cache = Gradients.runWithCache(model, reference.corrupted(), reference.metric(),
                    hooks.toArray(String[]::new))) {
                assertEquals(reference.scalar("metric_corrupted"), cache.metric(), 1e-4,
                        caseName + ": metric on the corrupted run");
                for (String hook : hooks) {
                    assertClose(reference.floats("act/" + hook), cache.activation(hook).toFloatArray(), 1e-4,
                            caseName + " activation " + hook);
                    float[] expected = reference.floats("grad/" + hook);
                    assertClose(expected, cache.gradient(hook).toFloatArray(), 1e-4, caseName + " gradient " + hook);
                }
            }
        }
    }

    static List<String> hooksOf(int layers) {
        List<String> hooks = new ArrayList<>(List.of("hook_embed"));
        for (int layer = 0; layer < layers; layer++) {
            for (String inBlock : List.of("hook_resid_pre", "attn.hook_z", "hook_attn_out", "hook_mlp_out")) {
                hooks.add("blocks." + layer + "." + inBlock);
            }
        }
        hooks.add("blocks.1.attn.hook_pattern");
        return hooks;
    }

    static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double largestGap = 0;
        int at = 0;
        double largestValue = 0;
        for (int i = 0; i < expected.length; i++) {
            double gap = Math.abs(expected[i] - actual[i]);
            if (gap > largestGap) {
                largestGap = gap;
                at = i;
            }
            largestValue = Math.max(largestValue, Math.abs(expected[i]));
        }
        assertTrue(largestGap <= tolerance, what + ": largest gap " + largestGap + " at element " + at + " (expected "
                + expected[at] + ", got " + actual[at] + ")");
        assertTrue(largestValue > 0, what + ": the reference is all zeros, which proves nothing");
    }
}
