package dev.arrakis.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.lens.NextTokenLoss;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Weight gradients do not depend on what the garbage collector did between the forward and the backward pass. DJL
 * wraps every number an op is given (x.mul(0.5f)) in a Java buffer that it releases when the op returns; autograd
 * keeps such factors for the backward pass, so a collection in between used to hand the backward pass freed memory.
 */
class GradientLifetimeTest {
    private static final float NAN_BITS = Float.intBitsToFloat(0x7fc00000);

    @Test
    void gradientsAreTheSameWhetherOrNotMemoryWasCollectedBeforeBackward() throws InterruptedException {
        try (HookedTransformer model = ToyModels.create(ToyModels.gpt2(1, 2, 16, 32, 16, 8), 3)) {
            NDArray mlpIn = model.weights().get("blocks.0.mlp.W_in");
            NDArray query = model.weights().get("blocks.0.attn.W_Q");
            mlpIn.setRequiresGradient(true);
            query.setRequiresGradient(true);
            TokenBatch batch = TokenBatch.of(new long[] {1, 5, 9, 2, 1, 5, 9, 2}, new long[] {3, 3, 7, 0, 15, 4, 4, 8});
            float[][] undisturbed = gradients(model, batch, () -> {}, mlpIn, query);
            List<ByteBuffer> scribbles = new ArrayList<>();
            float[][] afterCollection = gradients(model, batch, () -> collectAndScribble(scribbles), mlpIn, query);
            assertTrue(largestMagnitude(undisturbed[0]) > 1e-6,
                    "the MLP gradient is not trivially zero: " + Arrays.toString(Arrays.copyOf(undisturbed[0], 4)));
            for (int w = 0; w < 2; w++) {
                for (int i = 0; i < undisturbed[w].length; i++) {
                    assertEquals(undisturbed[w][i], afterCollection[w][i],
                            "gradient " + w + " element " + i + ": without a collection " + undisturbed[w][i]
                                    + ", after one " + afterCollection[w][i]);
                }
            }
            assertTrue(scribbles.size() > 0, "scribbles kept alive until after the backward pass");
        }
    }

    private static double largestMagnitude(float[] values) {
        double largest = 0;
        for (float value : values) {
            largest = Math.max(largest, Math.abs(value));
        }
        return largest;
    }

    private static float[][] gradients(HookedTransformer model, TokenBatch batch, Runnable betweenPasses,
            NDArray... weights) {
        float[][] values = new float[weights.length][];
        try (GradientCollector collector = Engine.getInstance().newGradientCollector();
                ForwardResult result = model.forward(batch)) {
            NDArray loss = NextTokenLoss.meanLoss(result.logits(), batch);
            betweenPasses.run();
            collector.backward(loss);
        }
        for (int w = 0; w < weights.length; w++) {
            try (NDArray gradient = weights[w].getGradient()) {
                values[w] = gradient.toFloatArray();
                gradient.subi(gradient);
            }
        }
        return values;
    }

    /** Frees unreachable direct buffers, then fills freed small blocks with NaN so that a stale read shows. */
    private static void collectAndScribble(List<ByteBuffer> keep) {
        for (int round = 0; round < 3; round++) {
            System.gc();
            try {
                Thread.sleep(50); // the cleaner thread frees the buffers of collected arrays
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        for (int i = 0; i < 20_000; i++) {
            ByteBuffer buffer = ByteBuffer.allocateDirect(4 * (1 + i % 4)).order(ByteOrder.nativeOrder());
            while (buffer.remaining() >= 4) {
                buffer.putFloat(NAN_BITS);
            }
            keep.add(buffer);
        }
    }
}
