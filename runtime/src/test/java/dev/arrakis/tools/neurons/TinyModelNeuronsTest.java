package dev.arrakis.tools.neurons;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.UnknownHookPointException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streamed statistics on gpt2-tiny equal the same statistics computed in one go, in plain Java, from every
 * activation of the dataset kept in memory.
 */
class TinyModelNeuronsTest {
    private static final String NEURONS = "blocks.0.mlp.hook_post";
    private static final String RESIDUAL = "blocks.1.hook_resid_post";

    @Test
    void streamedStatisticsEqualTheDirectComputation() {
        List<TokenBatch> batches = dataset(5, 4, 12);
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny"))) {
            float[][] neurons = everyVector(model, batches, NEURONS);
            float[][] residual = everyVector(model, batches, RESIDUAL);

            NeuronActivity activity = NeuronActivity.over(model, NEURONS, batches, 0.1);
            int width = neurons[0].length;
            double[] frequency = new double[width];
            double[] maxMagnitude = new double[width];
            for (float[] token : neurons) {
                for (int unit = 0; unit < width; unit++) {
                    frequency[unit] += token[unit] > 0.1 ? 1.0 / neurons.length : 0;
                    maxMagnitude[unit] = Math.max(maxMagnitude[unit], Math.abs(token[unit]));
                }
            }
            assertEquals(neurons.length, activity.tokens(), "tokens");
            assertArrayEquals(frequency, activity.frequency(), 1e-12, "frequency above 0.1 of " + width + " neurons");
            assertArrayEquals(maxMagnitude, activity.maxMagnitude(), 0, "max |a|");

            PrincipalComponents pca = ActivationCovariance.over(model, RESIDUAL, batches).principalComponents();
            double[] mean = new double[residual[0].length];
            for (float[] token : residual) {
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += token[i] / (double) residual.length;
                }
            }
            assertArrayEquals(mean, pca.mean(), 1e-5, "mean of the residual stream");
            double totalVariance = 0;
            for (float[] token : residual) {
                for (int i = 0; i < mean.length; i++) {
                    totalVariance += (token[i] - mean[i]) * (token[i] - mean[i]) / (residual.length - 1);
                }
            }
            double sumOfVariances = java.util.Arrays.stream(pca.variances()).sum();
            assertEquals(totalVariance, sumOfVariances, 1e-6 * totalVariance, "Σ eigenvalues against the trace");
            // the error of rebuilding every token from the top k components, measured on the tokens themselves
            for (int k : new int[] {0, 1, 8, 32}) {
                double error = 0;
                for (float[] token : residual) {
                    double[] vector = new double[token.length];
                    for (int i = 0; i < token.length; i++) {
                        vector[i] = token[i];
                    }
                    double[] rebuilt = pca.reconstruct(vector, k);
                    for (int i = 0; i < token.length; i++) {
                        error += (vector[i] - rebuilt[i]) * (vector[i] - rebuilt[i]) / residual.length;
                    }
                }
                double predicted = pca.reconstructionError()[k];
                assertEquals(error, predicted, 1e-6 * totalVariance, "reconstruction error with " + k
                        + " components: measured " + error + ", from the eigenvalues " + predicted);
            }
            assertTrue(pca.reconstructionError()[8] < pca.reconstructionError()[1], "more components, less error");
        }
    }

    @Test
    void aMisspelledHookIsNamedWithTheNearestOnes() {
        try (HookedTransformer model = HookedTransformer.load(Path.of("../models/gpt2-tiny"))) {
            UnknownHookPointException error = assertThrows(UnknownHookPointException.class,
                    () -> NeuronActivity.over(model, "blocks.0.mlp.hook_pots", dataset(1, 1, 4), 0));
            assertTrue(error.getMessage().startsWith("no hook point 'blocks.0.mlp.hook_pots' in this gpt2 model")
                    && error.getMessage().contains("blocks.0.mlp.hook_post"), error.getMessage());
        }
    }

    /** {@code count} batches of {@code rows} random rows, the last row of each left-padded to test the mask. */
    static List<TokenBatch> dataset(int count, int rows, int length) {
        Random random = new Random(7);
        List<TokenBatch> batches = new ArrayList<>();
        for (int batch = 0; batch < count; batch++) {
            List<long[]> tokens = new ArrayList<>();
            for (int row = 0; row < rows; row++) {
                long[] ids = new long[row == rows - 1 ? length - 3 : length];
                for (int position = 0; position < ids.length; position++) {
                    ids[position] = random.nextInt(384);
                }
                tokens.add(ids);
            }
            batches.add(TokenBatch.leftPadded(tokens, 0));
        }
        return batches;
    }

    /** Every real token's vector at {@code hook}, over the whole dataset. */
    private static float[][] everyVector(HookedTransformer model, List<TokenBatch> batches, String hook) {
        List<float[]> vectors = new ArrayList<>();
        for (TokenBatch batch : batches) {
            try (ForwardResult run = model.runWithCache(batch, hook)) {
                float[] values = run.cache().get(hook).toFloatArray();
                int width = values.length / (batch.batchSize() * batch.sequenceLength());
                for (int row = 0; row < batch.batchSize(); row++) {
                    for (int position = 0; position < batch.sequenceLength(); position++) {
                        if (batch.attended(row, position)) {
                            int offset = (row * batch.sequenceLength() + position) * width;
                            vectors.add(java.util.Arrays.copyOfRange(values, offset, offset + width));
                        }
                    }
                }
            }
        }
        return vectors.toArray(float[][]::new);
    }
}
