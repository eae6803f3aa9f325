package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.io.TensorInfo;
import dev.arrakis.io.WeightSource;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.ModelDescription;
import dev.arrakis.train.InductionTask;
import dev.arrakis.train.Trainer;
import dev.arrakis.train.TrainingException;
import java.lang.ref.WeakReference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Weights used as the checkpoint stores them are views of the mapped file rather than copies: the same numbers as
 * decoding every tensor in Java, a mapping that lives exactly as long as the model, and no training of read-only
 * memory.
 */
class MappedWeightsTest {
    static final List<String> CASES = ReferenceCase.ALL_CASES;
    private static final String GPT2 = "gpt2-prefixed";

    @ParameterizedTest
    @FieldSource("CASES")
    void mappedWeightsGiveBitIdenticalLogitsToDecodedCopies(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        Path directory = reference.directory();
        try (SafetensorsFile inputs = reference.reference();
                HookedTransformer mapped = HookedTransformer.load(directory);
                HookedTransformer copied = HookedTransformer.create(describe(directory),
                        WeightSource.copied(CheckpointFiles.open(directory)))) {
            TokenBatch batch = TokenBatch.of(ReferenceCase.rows(inputs, "input_ids"));
            try (ForwardResult fromMapping = mapped.forward(batch); ForwardResult fromCopies = copied.forward(batch)) {
                assertBitIdentical(caseName, fromCopies.logits().toFloatArray(), fromMapping.logits().toFloatArray());
            }
        }
    }

    @Test
    void storedF32WeightsViewTheFileAndDecodedOnesDoNot() {
        Path f32 = ReferenceCase.of(GPT2).directory();
        Path bf16 = ReferenceCase.of("gpt2-bf16").directory();
        try (HookedTransformer mapped = HookedTransformer.load(f32);
                HookedTransformer copied = HookedTransformer.create(describe(f32),
                        WeightSource.copied(CheckpointFiles.open(f32)));
                HookedTransformer decoded = HookedTransformer.load(bf16)) {
            // GPT-2 stores every matrix as used ([in, out], Conv1D) or as a slice (c_attn) or transpose (tied W_U)
            for (String name : List.of("embed.W_E", "blocks.0.attn.W_Q", "blocks.0.attn.b_V", "blocks.1.mlp.W_out",
                    "unembed.W_U")) {
                assertTrue(mapped.weights().isFileMapped(name), name + " of the F32 checkpoint views the file");
                assertFalse(copied.weights().isFileMapped(name), name + " of copied weights is the model's own");
                assertFalse(decoded.weights().isFileMapped(name), name + " of a BF16 checkpoint is decoded to f32");
            }
        }
    }

    @Test
    void theMappingOutlivesTheClosedFileAndGoesWithTheModel() throws InterruptedException {
        Path directory = ReferenceCase.of(GPT2).directory();
        RecordingSource source = new RecordingSource(CheckpointFiles.open(directory));
        HookedTransformer model = HookedTransformer.create(describe(directory), source);
        source.close();
        TokenBatch batch = TokenBatch.of(new long[] {3, 1, 4, 1, 5, 9, 2, 6});
        float[] first = logits(model, batch);
        collectGarbage();
        int mapped = source.buffers.size();
        assertTrue(mapped >= 4 * model.config().layers(), "the loader mapped a buffer per stored tensor: " + mapped
                + " for " + model.config().layers() + " layers");
        assertEquals(mapped, alive(source.buffers), "buffers still reachable after the file closed and a GC, of "
                + mapped + " mapped");
        assertBitIdentical("after close and GC", first, logits(model, batch));
        model.close();
        for (int attempt = 0; attempt < 50 && alive(source.buffers) > 0; attempt++) {
            collectGarbage();
        }
        assertEquals(0, alive(source.buffers), "buffers still reachable after the model closed, of " + mapped);
    }

    @Test
    void trainingRefusesMappedWeightsAndTrainsCopiedOnes() {
        Path directory = ReferenceCase.of(GPT2).directory();
        InductionTask task = new InductionTask(16, 16, 3, 8);
        Trainer trainer = Trainer.builder().steps(1).learningRate(1e-2f).build();
        try (HookedTransformer mapped = HookedTransformer.load(directory)) {
            TrainingException refused = assertThrows(TrainingException.class,
                    () -> trainer.train(mapped, task.batches(2, 1)));
            assertTrue(refused.getMessage().contains("embed.W_E is mapped read-only from the checkpoint in "
                    + directory), refused.getMessage());
        }
        try (HookedTransformer copied = HookedTransformer.create(describe(directory),
                WeightSource.copied(CheckpointFiles.open(directory)))) {
            float before = copied.weights().get("blocks.0.attn.W_Q").getFloat(0, 0);
            trainer.train(copied, task.batches(2, 1));
            float after = copied.weights().get("blocks.0.attn.W_Q").getFloat(0, 0);
            assertNotEquals(before, after, "one step changed W_Q[0, 0] of the copied weights: " + before + " -> "
                    + after);
        }
    }

    private static ModelDescription describe(Path directory) {
        return ConfigShapes.describe(CheckpointFiles.readConfig(directory));
    }

    private static float[] logits(HookedTransformer model, TokenBatch batch) {
        try (ForwardResult result = model.forward(batch)) {
            return result.logits().toFloatArray();
        }
    }

    private static void assertBitIdentical(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": logit count");
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                throw new AssertionError(what + ": logit " + i + " is " + actual[i] + ", expected " + expected[i]
                        + " bit for bit");
            }
        }
    }

    private static long alive(List<WeakReference<ByteBuffer>> buffers) {
        return buffers.stream().filter(buffer -> buffer.get() != null).count();
    }

    private static void collectGarbage() throws InterruptedException {
        System.gc();
        Thread.sleep(20);
    }

    /** Hands out the source's buffers, remembering each only weakly, to see when nothing else holds them. */
    private static final class RecordingSource implements WeightSource {
        private final WeightSource source;
        final List<WeakReference<ByteBuffer>> buffers = new ArrayList<>();

        RecordingSource(WeightSource source) {
            this.source = source;
        }

        @Override
        public Set<String> names() {
            return source.names();
        }

        @Override
        public boolean contains(String name) {
            return source.contains(name);
        }

        @Override
        public TensorInfo info(String name) {
            return source.info(name);
        }

        @Override
        public ByteBuffer bytes(String name) {
            ByteBuffer bytes = source.bytes(name);
            buffers.add(new WeakReference<>(bytes));
            return bytes;
        }

        @Override
        public float[] readFloats(String name) {
            return source.readFloats(name);
        }

        @Override
        public void close() {
            source.close();
        }
    }
}
