package dev.arrakis.tools.gradients;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Gradient collectors handed out one at a time. DJL's PyTorch engine allows one collector in the whole process (a
 * static flag), so a second gradient pass started on another thread, on any model, would fail with an
 * {@link IllegalStateException}; here it waits for the first to finish instead. Inference passes on other threads do
 * not wait: libtorch's gradient mode is per thread, and they record no graph.
 */
public final class GradientTurns {
    private static final ReentrantLock TURN = new ReentrantLock();

    private GradientTurns() {}

    /**
     * A gradient collector, once no other thread holds one; closing it lets the next thread have one.
     *
     * @throws GradientException when this thread already holds one (a gradient pass started from a hook or a metric
     *     of another gradient pass), which DJL cannot nest
     */
    public static GradientCollector open() {
        if (TURN.isHeldByCurrentThread()) {
            throw new GradientException("a gradient pass cannot start inside another gradient pass on the same"
                    + " thread (from one of its hooks or its metric); run it after the outer pass returns", null);
        }
        TURN.lock();
        try {
            return new Turn(Engine.getInstance().newGradientCollector());
        } catch (RuntimeException e) {
            TURN.unlock();
            throw e;
        }
    }

    private record Turn(GradientCollector collector) implements GradientCollector {
        @Override
        public void backward(NDArray target) {
            collector.backward(target);
        }

        @Override
        public void zeroGradients() {
            collector.zeroGradients();
        }

        @Override
        public void close() {
            try {
                collector.close();
            } finally {
                TURN.unlock();
            }
        }
    }
}
