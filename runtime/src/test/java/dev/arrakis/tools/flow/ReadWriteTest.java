package dev.arrakis.tools.flow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDManager;
import dev.arrakis.ArrakisException;
import dev.arrakis.annotations.Breakdown;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.tools.residual.ResidualStack;
import dev.arrakis.tools.residual.ResidualStream;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Read, write and movement measures against the same sums written out in loops over the checkpoints' own weights and
 * cached activations, on GPT-2 (LayerNorm: the direction is centred) and LLaMA with grouped-query attention (RMSNorm:
 * it is not; a gated MLP reads through two matrices).
 */
class ReadWriteTest {
    private static final TokenBatch TOKENS = TokenBatch.of(new long[][] {{5, 17, 3, 99, 42, 7}, {1, 2, 3, 4, 5, 6}});

    private static Path checkpoint(String name) {
        return name.equals("gpt2-tiny") ? Path.of("src/test/resources/reference/gpt2-prefixed")
                : Path.of("src/test/resources/reference", name);
    }

    private static float[] randomDirection(int dModel, long seed) {
        Random random = new Random(seed);
        float[] direction = new float[dModel];
        for (int i = 0; i < dModel; i++) {
            direction[i] = (float) random.nextGaussian();
        }
        return direction;
    }

    /** The unit direction as the model's norms see it, computed here without the tool. */
    private static double[] unit(float[] direction, boolean centre) {
        double mean = 0;
        for (float value : direction) {
            mean += centre ? value / (double) direction.length : 0;
        }
        double length = 0;
        for (float value : direction) {
            length += (value - mean) * (value - mean);
        }
        double[] unit = new double[direction.length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = (direction[i] - mean) / Math.sqrt(length);
        }
        return unit;
    }

    /** {@code ‖(g ⊙ u) · W[:, from .. from+width)‖} for a row-major {@code [d_model, columns]} weight. */
    private static double readNorm(double[] unit, float[] gain, float[] weight, int columns, int from, int width) {
        double squared = 0;
        for (int column = from; column < from + width; column++) {
            double sum = 0;
            for (int row = 0; row < unit.length; row++) {
                sum += gain[row] * unit[row] * weight[row * columns + column];
            }
            squared += sum * sum;
        }
        return squared;
    }

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-gqa"})
    void headAndMlpReadsAreTheNormsOfTheGainedDirectionThroughTheInputWeights(String name) {
        try (HookedTransformer model = HookedTransformer.load(checkpoint(name))) {
            ModelConfig config = model.config();
            boolean layerNorm = name.equals("gpt2-tiny");
            float[] direction = randomDirection(config.dModel(), 3);
            double[] unit = unit(direction, layerNorm);
            int dHead = config.dHead();
            int group = config.heads() / config.kvHeads();
            for (HeadInput input : HeadInput.values()) {
                double[][] reads = ReadWrite.headReads(model, direction, input);
                for (int layer = 0; layer < config.layers(); layer++) {
                    var block = model.weights().block(layer);
                    float[] gain = block.ln1Weight().toFloatArray();
                    float[] weight = (switch (input) {
                        case QUERY -> block.queryWeight();
                        case KEY -> block.keyWeight();
                        case VALUE -> block.valueWeight();
                    }).toFloatArray();
                    int fused = input == HeadInput.QUERY ? config.heads() : config.kvHeads();
                    for (int head = 0; head < config.heads(); head++) {
                        int source = input == HeadInput.QUERY ? head : head / group;
                        double byHand = Math.sqrt(readNorm(unit, gain, weight, fused * dHead, source * dHead, dHead));
                        assertEquals(byHand, reads[layer][head], 1e-4 * Math.max(1, byHand),
                                name + " " + input + " read of L" + layer + "H" + head);
                    }
                }
            }
            double[] mlp = ReadWrite.mlpReads(model, direction);
            for (int layer = 0; layer < config.layers(); layer++) {
                var block = model.weights().block(layer);
                float[] gain = block.ln2Weight().toFloatArray();
                double squared = readNorm(unit, gain, block.mlpInWeight().toFloatArray(), config.dMlp(), 0,
                        config.dMlp());
                if (block.mlpGateWeight() != null) {
                    squared += readNorm(unit, gain, block.mlpGateWeight().toFloatArray(), config.dMlp(), 0,
                            config.dMlp());
                }
                assertEquals(Math.sqrt(squared), mlp[layer], 1e-4 * Math.max(1, Math.sqrt(squared)),
                        name + " MLP read of layer " + layer + (block.mlpGateWeight() != null ? " (gated)" : ""));
            }
        }
    }

    @Test
    void writesAreProjectionsAndAddUpToTheStreamsOwn() {
        try (HookedTransformer model = HookedTransformer.load(checkpoint("gpt2-tiny"));
                NDManager manager = NDManager.newBaseManager();
                ForwardResult pass = model.run(TOKENS, RunOptions.none().withCacheAll())) {
            int dModel = model.config().dModel();
            float[] direction = randomDirection(dModel, 5);
            double[] unit = unit(direction, false);
            ResidualStack stack = ResidualStream.stack(model, pass.cache(), Breakdown.LAYERS, manager);
            double[] writes = ReadWrite.writes(stack, direction);
            int positions = TOKENS.sequenceLength();
            double total = 0;
            for (int component = 0; component < stack.size(); component++) {
                double byHand = 0;
                for (int row = 0; row < TOKENS.batchSize(); row++) {
                    for (int position = 0; position < positions; position++) {
                        float[] vector = stack.vector(stack.labels().get(component), row, position);
                        for (int d = 0; d < dModel; d++) {
                            byHand += vector[d] * unit[d] / (TOKENS.batchSize() * positions);
                        }
                    }
                }
                assertEquals(byHand, writes[component], 1e-5, "write of " + stack.labels().get(component));
                total += writes[component];
            }
            float[] stream = pass.cache().get("blocks.1.hook_resid_post").toFloatArray();
            double streamWrite = 0;
            for (int i = 0; i < stream.length; i++) {
                streamWrite += stream[i] * unit[i % dModel] / (TOKENS.batchSize() * positions);
            }
            assertEquals(streamWrite, total, 1e-4, "the components' writes add up to the final stream's projection");
        }
    }

    @Test
    void movementIsTheNormsStepsAndCosinesOfTheCachedStream() {
        try (HookedTransformer model = HookedTransformer.load(checkpoint("gpt2-tiny"));
                NDManager manager = NDManager.newBaseManager();
                ForwardResult pass = model.run(TOKENS, RunOptions.none().withCacheAll())) {
            ResidualMovement movement = ResidualMovement.of(
                    ResidualStream.stack(model, pass.cache(), Breakdown.ACCUMULATED, manager));
            String[] hooks = {"blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre", "blocks.1.hook_resid_post"};
            int dModel = model.config().dModel();
            int vectors = TOKENS.batchSize() * TOKENS.sequenceLength();
            float[][] points = new float[hooks.length][];
            for (int i = 0; i < hooks.length; i++) {
                points[i] = pass.cache().get(hooks[i]).toFloatArray();
            }
            for (int point = 0; point < hooks.length; point++) {
                double norms = 0;
                double steps = 0;
                double cosines = 0;
                for (int v = 0; v < vectors; v++) {
                    double self = 0;
                    double next = 0;
                    double cross = 0;
                    double step = 0;
                    for (int d = 0; d < dModel; d++) {
                        float a = points[point][v * dModel + d];
                        self += a * a;
                        if (point + 1 < hooks.length) {
                            float b = points[point + 1][v * dModel + d];
                            next += b * b;
                            cross += a * b;
                            step += (b - a) * (b - a);
                        }
                    }
                    norms += Math.sqrt(self) / vectors;
                    steps += Math.sqrt(step) / vectors;
                    cosines += point + 1 < hooks.length ? cross / Math.sqrt(self * next) / vectors : 0;
                }
                assertEquals(norms, movement.norms()[point], 1e-4, "norm at " + hooks[point]);
                if (point + 1 < hooks.length) {
                    assertEquals(steps, movement.stepNorms()[point], 1e-4, "step after " + hooks[point]);
                    assertEquals(cosines, movement.cosines()[point], 1e-5, "cosine after " + hooks[point]);
                }
            }
        }
    }

    @Test
    void aDirectionOfTheWrongWidthOrThatALayerNormRemovesIsRefused() {
        try (HookedTransformer model = HookedTransformer.load(checkpoint("gpt2-tiny"))) {
            ArrakisException width = assertThrows(ArrakisException.class,
                    () -> ReadWrite.mlpReads(model, new float[3]));
            assertEquals("a residual direction has d_model = 64 values, got 3", width.getMessage());
            float[] constant = new float[64];
            java.util.Arrays.fill(constant, 2f);
            ArrakisException removed = assertThrows(ArrakisException.class,
                    () -> ReadWrite.headReads(model, constant, HeadInput.QUERY));
            assertEquals("the direction has no length once centred: a LayerNorm removes a constant direction, so"
                    + " nothing can read it", removed.getMessage());
        }
    }
}
