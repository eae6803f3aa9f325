package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.RunOptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The forward pass stays differentiable through hooks: the gradient of a logit with respect to a hooked activation
 * (obtained by adding a zero leaf at the hook) agrees with central finite differences of the same logit, through
 * LayerNorm and RMSNorm, rotary, soft-caps, sliding windows and parallel blocks.
 */
class AutogradTest {
    private static final String HOOK = "blocks.1.hook_resid_pre";
    private static final TokenBatch BATCH = TokenBatch.of(new long[] {5, 17, 3, 99, 42});

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-prefixed", "gemma2", "gpt-neox-parallel", "phi3", "stablelm-parallel"})
    void gradientThroughAHookMatchesFiniteDifferences(String caseName) {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory());
                NDManager manager = NDManager.newBaseManager("PyTorch")) {
            int dModel = model.config().dModel();
            NDArray delta = manager.zeros(new Shape(1, 5, dModel));
            delta.setRequiresGradient(true);
            float[] gradient;
            try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                    ForwardResult result = model.run(BATCH,
                            RunOptions.none().withHook(HOOK, (activation, context) -> activation.add(delta)))) {
                collector.backward(targetLogit(result.logits()));
                gradient = delta.getGradient().toFloatArray();
            }
            double largest = 0;
            for (int component : new int[] {0, 7, dModel - 1}) {
                int at = 1 * dModel + component; // position 1 reaches the target at position 3 only through attention
                double numeric = finiteDifference(model, manager, at, 1e-2f);
                assertEquals(numeric, gradient[at], 2e-3 + 2e-2 * Math.abs(numeric), "d logit / d resid[1," + component + "]");
                largest = Math.max(largest, Math.abs(numeric));
            }
            assertTrue(largest > 1e-3, "the checked gradients are not trivially zero: largest " + largest);
            for (int component = 0; component < dModel; component++) {
                assertEquals(0f, gradient[4 * dModel + component], "causality: position 4 cannot affect position 3");
            }
        }
    }

    private static NDArray targetLogit(NDArray logits) {
        return logits.get(new NDIndex(0, 3, 11));
    }

    private static double finiteDifference(HookedTransformer model, NDManager manager, int flatIndex, float step) {
        return (logitWithNudge(model, manager, flatIndex, step) - logitWithNudge(model, manager, flatIndex, -step))
                / (2.0 * step);
    }

    private static double logitWithNudge(HookedTransformer model, NDManager manager, int flatIndex, float step) {
        float[] nudge = new float[5 * model.config().dModel()];
        nudge[flatIndex] = step;
        NDArray offset = manager.create(nudge, new Shape(1, 5, model.config().dModel()));
        try (ForwardResult result = model.run(BATCH,
                RunOptions.none().withHook(HOOK, (activation, context) -> activation.add(offset)))) {
            return targetLogit(result.logits()).getFloat();
        }
    }
}
