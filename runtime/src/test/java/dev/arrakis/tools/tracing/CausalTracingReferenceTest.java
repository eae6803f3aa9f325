package dev.arrakis.tools.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.annotations.Restore;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.HookedTransformer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The batched tracer equals ROME's causal trace written out one cell at a time in TransformerLens 3.2.1
 * ({@code tools/reference/tl_causal_trace.py}) on {@code models/gpt2-tiny}, with the script's stored noise handed in.
 */
class CausalTracingReferenceTest {
    private static final double TOLERANCE = 1e-6;

    @Test
    void everyCellOfEveryRestoreEqualsTransformerLens() {
        try (SafetensorsFile reference = SafetensorsFile.open(
                Path.of("src/test/resources/reference/tools/tracing/gpt2-tiny.safetensors"));
                HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny"))) {
            long[] tokens = longs(reference, "input_ids");
            long[] subjectPositions = longs(reference, "subject");
            int[] subject = new int[subjectPositions.length];
            for (int i = 0; i < subject.length; i++) {
                subject[i] = (int) subjectPositions[i];
            }
            long answer = longs(reference, "answer")[0];
            float[] noise = reference.readFloats("noise");
            int samples = (int) reference.info("noise").shape()[0];
            int dModel = model.config().dModel();
            assertEquals(reference.readFloats("sigma")[0], CausalTracing.embeddingStd(model), 1e-6,
                    "sigma of W_E against TransformerLens's W_E.std(unbiased=False)");
            TraceNoise stored = (prompt, sample, rows, width, std) -> {
                float[][] draw = new float[rows][width];
                for (int row = 0; row < rows; row++) {
                    System.arraycopy(noise, (sample * rows + row) * dModel, draw[row], 0, width);
                }
                return draw;
            };
            SubjectPrompts prompts = new SubjectPrompts(List.of(tokens), new int[][] {subject}, new long[] {answer});
            for (Restore restore : Restore.values()) {
                String key = switch (restore) {
                    case RESIDUAL -> "residual";
                    case MLP -> "mlp_window2";
                    case ATTENTION -> "attention_window2";
                };
                int window = restore == Restore.RESIDUAL ? 1 : 2;
                CausalTraceMap map = CausalTracing.trace(model, prompts, new TraceOptions(restore, window, samples,
                        3.0, 0), stored);
                assertEquals(reference.readFloats("clean")[0], map.clean(), TOLERANCE, "clean p(answer)");
                assertEquals(reference.readFloats("corrupted")[0], map.corrupted(), TOLERANCE,
                        "corrupted p(answer)");
                float[] expected = reference.readFloats(key);
                for (int layer = 0; layer < map.layers(); layer++) {
                    for (int position = 0; position < map.positions(); position++) {
                        double want = expected[layer * map.positions() + position];
                        double got = map.probability()[layer][position];
                        assertEquals(want, got, TOLERANCE, key + " (" + layer + ", " + position + "): TransformerLens "
                                + want + ", Arrakis " + got);
                    }
                }
            }
        }
    }

    private static long[] longs(SafetensorsFile file, String key) {
        LongBuffer buffer = file.bytes(key).order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        long[] values = new long[buffer.remaining()];
        buffer.get(values);
        return values;
    }
}
