package dev.arrakis.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.NativeResources;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.profile.MemoryPeak;
import dev.arrakis.profile.MemoryProbe;
import dev.arrakis.tools.features.Feature;
import dev.arrakis.tools.features.TopActivatingExamples;
import dev.arrakis.tools.neurons.ActivationCovariance;
import dev.arrakis.tools.neurons.NeuronActivity;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming tools (sparsity, PCA, feature visualisation) keep a summary of fixed size: ten times the tokens leave
 * no native array behind and no more Java heap than one time.
 */
class StreamingMemoryTest {
    private static final int ROWS = 64;
    private static final int POSITIONS = 64;
    private static final int WIDTH = 64;
    /** One batch is ROWS × POSITIONS × WIDTH floats: 1 MiB. */
    private static final int BATCHES = 20;

    /** What the tools hold between batches. */
    private record Tools(NeuronActivity activity, ActivationCovariance covariance, TopActivatingExamples byNeuron,
            TopActivatingExamples byDirection) {
        static Tools create() {
            float[] direction = new float[WIDTH];
            direction[3] = 1;
            direction[7] = -1;
            return new Tools(new NeuronActivity(WIDTH, 0.0), new ActivationCovariance(WIDTH),
                    new TopActivatingExamples(Feature.neuron("h", 11), 20, 8, 4),
                    new TopActivatingExamples(Feature.direction("h", "d", direction), 20, 8, 4));
        }

        void add(NDArray activation, TokenBatch batch) {
            activity.add(activation, batch);
            covariance.add(activation, batch);
            byNeuron.add(activation, batch);
            byDirection.add(activation, batch);
        }
    }

    @Test
    void tenTimesTheTokensKeepNoMoreNativeArraysOrHeap() {
        long[][] rows = new long[ROWS][POSITIONS];
        TokenBatch batch = TokenBatch.of(rows);
        try (NDManager caller = NDManager.newBaseManager()) {
            int callerArrays = NativeResources.attachedCount(caller);
            Tools once = Tools.create();
            Measured small = stream(caller, once, batch, BATCHES);
            Tools tenTimes = Tools.create();
            Measured large = stream(caller, tenTimes, batch, 10 * BATCHES);

            assertEquals(callerArrays, NativeResources.attachedCount(caller),
                    "arrays and scopes left on the caller's manager after " + 11 * BATCHES + " batches");
            assertEquals((long) 10 * BATCHES * ROWS * POSITIONS, tenTimes.activity().tokens(), "tokens counted");
            long retainedGrowth = large.retainedHeapBytes() - small.retainedHeapBytes();
            // keeping every activation would retain 10 × 20 MiB = 200 MiB more at 10x than at 1x
            assertTrue(retainedGrowth < 40L << 20, "heap retained by the tools grew by " + retainedGrowth / 1024
                    + " kB from " + BATCHES + " to " + 10 * BATCHES + " batches of 1 MiB");
            System.out.printf("streaming tools, %d vs %d batches of 1 MiB: retained heap %d vs %d kB; peak heap growth"
                    + " %d vs %d kB; peak RSS growth %d vs %d kB%n", BATCHES, 10 * BATCHES,
                    small.retainedHeapBytes() / 1024, large.retainedHeapBytes() / 1024,
                    small.peak().heapGrowthBytes() / 1024, large.peak().heapGrowthBytes() / 1024,
                    small.peak().rssGrowthBytes() / 1024, large.peak().rssGrowthBytes() / 1024);
            assertTrue(once.byNeuron().examples().size() == 20 && tenTimes.byNeuron().examples().size() == 20,
                    "both kept k = 20 examples");
        }
    }

    @Test
    void streamingTheTinyModelLeavesTheModelsArraysAsTheyWere() {
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny"))) {
            NDManager weights;
            try (ForwardResult probe = model.forward(TokenBatch.of(new long[] {1, 2}))) {
                weights = probe.logits().getManager().getParentManager();
            }
            int before = NativeResources.attachedCount(weights);
            for (int scale : new int[] {1, 10}) {
                List<TokenBatch> batches = randomBatches(5 * scale);
                try (MemoryProbe probe = MemoryProbe.start()) {
                    NeuronActivity.over(model, "blocks.0.mlp.hook_post", batches, 0.0);
                    ActivationCovariance.over(model, "blocks.1.hook_resid_post", batches).principalComponents();
                    TopActivatingExamples.over(model, Feature.neuron("blocks.1.mlp.hook_post", 3), batches, 10, 4, 2);
                    MemoryPeak peak = probe.finish();
                    System.out.printf("gpt2-tiny, three tools over %d batches of 4 x 32 tokens: peak RSS growth %d kB,"
                            + " peak heap growth %d kB%n", batches.size(), peak.rssGrowthBytes() / 1024,
                            peak.heapGrowthBytes() / 1024);
                }
                assertEquals(before, NativeResources.attachedCount(weights), "arrays and scopes on the model's manager"
                        + " after streaming " + batches.size() + " batches through three tools");
            }
        }
    }

    private record Measured(long retainedHeapBytes, MemoryPeak peak) {}

    /** Streams {@code count} batches the way a pass hands them out: each in a scope closed after the tools read it. */
    private static Measured stream(NDManager caller, Tools tools, TokenBatch batch, int count) {
        try (MemoryProbe probe = MemoryProbe.start()) {
            for (int index = 0; index < count; index++) {
                try (NDManager pass = caller.newSubManager()) {
                    NDArray activation = pass.randomNormal(new Shape(ROWS, POSITIONS, WIDTH));
                    tools.add(activation, batch);
                    assertEquals(1, NativeResources.attachedCount(pass),
                            "arrays on the pass's scope after the tools read batch " + index
                                    + " (only the activation)");
                }
            }
            MemoryPeak peak = probe.finish();
            return new Measured(retainedHeap(), peak);
        }
    }

    private static long retainedHeap() {
        for (int round = 0; round < 3; round++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<TokenBatch> randomBatches(int count) {
        Random random = new Random(count);
        List<TokenBatch> batches = new ArrayList<>();
        for (int index = 0; index < count; index++) {
            long[][] rows = new long[4][32];
            for (long[] row : rows) {
                for (int position = 0; position < row.length; position++) {
                    row[position] = random.nextInt(384);
                }
            }
            batches.add(TokenBatch.of(rows));
        }
        return batches;
    }
}
