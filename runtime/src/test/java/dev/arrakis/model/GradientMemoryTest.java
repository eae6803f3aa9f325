package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.tools.gradients.GradientCache;
import dev.arrakis.tools.gradients.GradientException;
import dev.arrakis.tools.gradients.Gradients;
import dev.arrakis.tools.gradients.InputAttribution;
import dev.arrakis.tools.gradients.LogitMetric;
import dev.arrakis.tools.patching.AttributionPatching;
import dev.arrakis.tools.patching.PatchingGrid;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gradient tools hand every native array back: after many calls (some whose metric or backward hook throws), the
 * model's manager holds only its weights and no base manager is left open under the engine's root manager.
 */
class GradientMemoryTest {
    private static final int CALLS = 10;

    @Test
    void gradientCallsLeaveNoNativeArraysBehindEvenWhenTheyThrow() {
        TokenBatch batch = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7}, new long[] {8, 1, 250, 31, 12, 64});
        TokenBatch corrupted = TokenBatch.of(new long[] {5, 17, 3, 9, 4, 70}, new long[] {8, 1, 250, 3, 120, 6});
        LogitMetric metric = LogitMetric.logitDifference(new long[] {11, 40}, new long[] {2, 300});
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny").toAbsolutePath());
                NDManager probe = NDManager.newBaseManager("PyTorch")) {
            NDManager root = probe.getParentManager();
            round(model, batch, corrupted, metric); // lets DJL create whatever it keeps for good
            int weights = NativeResources.attachedCount(model.manager());
            int baseManagers = NativeResources.attachedCount(root);
            for (int call = 0; call < CALLS; call++) {
                round(model, batch, corrupted, metric);
            }
            assertEquals(weights, NativeResources.attachedCount(model.manager()),
                    "arrays and scopes on the model's manager after " + CALLS + " rounds of gradient calls");
            assertEquals(baseManagers, NativeResources.attachedCount(root),
                    "base managers open under the root after " + CALLS + " rounds of gradient calls");
        }
    }

    private static void round(HookedTransformer model, TokenBatch batch, TokenBatch corrupted, LogitMetric metric) {
        try (GradientCache cache = Gradients.runWithCache(model, batch, metric, "blocks.1.hook_resid_pre",
                "blocks.0.attn.hook_z")) {
            cache.gradient("blocks.0.attn.hook_z").getFloat(0, 0, 0, 0);
        }
        InputAttribution.integratedGradients(model, batch, metric, 3);
        AttributionPatching.grids(model, batch, corrupted, metric, PatchingGrid.RESID_PRE, PatchingGrid.HEAD_OUT);
        assertThrows(GradientException.class, () -> Gradients.runWithCache(model, batch, logits -> {
            logits.sum();
            throw new IllegalStateException("metric fails after allocating");
        }, "hook_embed"));
        assertThrows(GradientException.class, () -> Gradients.runWithBackwardHooks(model, batch, metric,
                Map.of("blocks.1.hook_resid_pre", (gradient, point) -> {
                    gradient.mul(gradient);
                    throw new IllegalStateException("hook fails after allocating");
                })));
    }
}
