package dev.arrakis.tools.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.features.TopActivatingExamples.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The kept examples are the true top k, with the right context windows, across batches and padding. */
class TopActivatingExamplesTest {

    @Test
    void keepsTheTopKWithTheirContextAcrossBatchesAndPadding() {
        try (NDManager manager = NDManager.newBaseManager()) {
            // width 2: unit 0 is the neuron; unit 1 is noise a direction (1, 0) must ignore
            TopActivatingExamples byNeuron = new TopActivatingExamples(Feature.neuron("h", 0), 3, 1, 1);
            TopActivatingExamples byDirection =
                    new TopActivatingExamples(Feature.direction("h", "x", new float[] {2, 0}), 3, 1, 1);
            // batch 1: row 0 = 10 11 12 13, row 1 = (pad) 20 21 22
            TokenBatch first = TokenBatch.leftPadded(List.of(new long[] {10, 11, 12, 13}, new long[] {20, 21, 22}), 0);
            float[] firstValues = withNoise(new float[] {1, 5, 2, 0, /* pad */ 99, 3, 4, 5});
            // batch 2: row 2 = 30 31 32 33; its 5 ties the earlier 5s and loses to them
            TokenBatch second = TokenBatch.of(new long[] {30, 31, 32, 33});
            float[] secondValues = withNoise(new float[] {0, 5, 6, 1});
            for (TopActivatingExamples top : List.of(byNeuron, byDirection)) {
                top.add(manager.create(firstValues, new Shape(2, 4, 2)), first);
                top.add(manager.create(secondValues, new Shape(1, 4, 2)), second);
            }

            List<Example> examples = byNeuron.examples();
            assertEquals("2:2=6.0 [31, 32, 33] focus 1; 0:1=5.0 [10, 11, 12] focus 1; 1:2=5.0 [21, 22] focus 1",
                    describe(examples), "top 3 of neuron 0 (ties: earliest first; row 1's last token ends its window)");
            assertArrayEquals(new float[] {5, 6, 1}, examples.get(0).contextActivations(), "values in the window");
            assertEquals(11, byNeuron.tokens(), "real tokens seen (the pad is not one)");
            List<Example> direction = byDirection.examples();
            assertEquals("2:2=12.0 [31, 32, 33] focus 1; 0:1=10.0 [10, 11, 12] focus 1; 1:2=10.0 [21, 22] focus 1",
                    describe(direction), "the direction (2, 0) doubles neuron 0 and ignores unit 1");
        }
    }

    @Test
    void aMissingNeuronOrAWrongDirectionIsNamed() {
        try (NDManager manager = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(new long[] {1, 2});
            var activation = manager.create(new float[4], new Shape(1, 2, 2));
            ArrakisException neuron = assertThrows(ArrakisException.class,
                    () -> new TopActivatingExamples(Feature.neuron("blocks.0.mlp.hook_post", 2), 1, 0, 0)
                            .add(activation, batch));
            assertEquals("neuron 2 does not exist: blocks.0.mlp.hook_post has units 0..1", neuron.getMessage());
            ArrakisException direction = assertThrows(ArrakisException.class,
                    () -> new TopActivatingExamples(Feature.direction("h", "probe", new float[3]), 1, 0, 0)
                            .add(activation, batch));
            assertEquals("direction 'probe' has 3 coordinates but h is 2 wide", direction.getMessage());
        }
    }

    @Test
    void onTheTinyModelTheyAreTheTopOfEveryActivation() {
        String hook = "blocks.0.mlp.hook_post";
        int neuron = 5;
        List<TokenBatch> batches = new ArrayList<>();
        Random random = new Random(3);
        for (int batch = 0; batch < 4; batch++) {
            long[][] rows = new long[3][16];
            for (long[] row : rows) {
                for (int position = 0; position < row.length; position++) {
                    row[position] = random.nextInt(384);
                }
            }
            batches.add(TokenBatch.of(rows));
        }
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny"))) {
            TopActivatingExamples top = TopActivatingExamples.over(model, Feature.neuron(hook, neuron), batches, 5, 2,
                    2);
            List<float[]> every = new ArrayList<>();
            long sequence = 0;
            for (TokenBatch batch : batches) {
                try (ForwardResult run = model.runWithCache(batch, hook)) {
                    for (int row = 0; row < batch.batchSize(); row++, sequence++) {
                        for (int position = 0; position < batch.sequenceLength(); position++) {
                            every.add(new float[] {run.cache().get(hook).getFloat(row, position, neuron), sequence,
                                position});
                        }
                    }
                }
            }
            every.sort(Comparator.comparingDouble((float[] entry) -> entry[0]).reversed());
            List<Example> examples = top.examples();
            assertEquals(5, examples.size(), "examples kept");
            for (int rank = 0; rank < 5; rank++) {
                float[] expected = every.get(rank);
                Example actual = examples.get(rank);
                assertEquals(expected[0], actual.activation(), 0, "rank " + rank + " activation");
                assertEquals((long) expected[1] + ":" + (int) expected[2], actual.sequence() + ":" + actual.position(),
                        "rank " + rank + " place (activation " + expected[0] + ")");
                TokenBatch batch = batches.get((int) actual.sequence() / 3);
                assertEquals(batch.token((int) actual.sequence() % 3, actual.position()),
                        actual.context()[actual.focus()], "rank " + rank + " focus token");
            }
            assertTrue(examples.get(0).activation() > examples.get(4).activation(), "strongest first");
        }
    }

    /** Interleaves each neuron value with a large unit-1 value, so that reading the wrong unit shows. */
    private static float[] withNoise(float[] neuron) {
        float[] values = new float[neuron.length * 2];
        for (int token = 0; token < neuron.length; token++) {
            values[2 * token] = neuron[token];
            values[2 * token + 1] = 50 + token;
        }
        return values;
    }

    private static String describe(List<Example> examples) {
        return String.join("; ", examples.stream().map(example -> example.sequence() + ":" + example.position() + "="
                + example.activation() + " " + java.util.Arrays.toString(example.context()) + " focus "
                + example.focus()).toList());
    }
}
