package dev.arrakis.tools.steering;

import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ShapeChecks;
import dev.arrakis.spec.SteeringRules;

/**
 * The two ways of making a steering vector from prompts, both read at the hook point they will be added at.
 *
 * <ul>
 *   <li>Activation addition (Turner et al. 2023, "ActAdd"): the difference of the residual streams of a contrast pair
 *       ("Love" − "Hate") at every position. The prompts are aligned at their first token; the shorter is padded at its
 *       end with a pad token (the paper pads with spaces), so row {@code i} is position {@code i} of both prompts. The
 *       vector is added at the first positions of the steered prompt.
 *   <li>Mean difference (Rimsky et al. 2023, contrastive activation addition): the mean residual of a set of positive
 *       prompts minus that of a set of negatives, each read at one position (the answer token; -1 is the last), one
 *       direction added at every steered position.
 * </ul>
 */
public final class SteeringVectors {
    private SteeringVectors() {}

    /**
     * Activation addition from a contrast pair: row {@code i} is {@code resid(positive)[i] - resid(negative)[i]} at
     * {@code blocks.{layer}.{hook}}, for every position of the longer prompt after padding the shorter with
     * {@code padToken} at its end.
     */
    public static SteeringVector contrastPair(HookedTransformer model, long[] positive, long[] negative,
            long padToken, int layer, String hook) {
        int length = Math.max(positive.length, negative.length);
        TokenBatch pair = TokenBatch.of(padded(positive, length, padToken), padded(negative, length, padToken));
        float[][] residuals = rows(model, pair, layer, hook);
        int width = model.config().dModel();
        float[][] difference = new float[length][width];
        for (int position = 0; position < length; position++) {
            for (int i = 0; i < width; i++) {
                difference[position][i] = residuals[0][position * width + i] - residuals[1][position * width + i];
            }
        }
        return new SteeringVector(difference);
    }

    /**
     * Contrastive activation addition: {@code mean over positives of resid[position] - mean over negatives of
     * resid[position]} at {@code blocks.{layer}.{hook}}; a negative position counts from each row's end (with
     * left-padded batches the last token of every row is at -1).
     */
    public static SteeringVector meanDifference(HookedTransformer model, TokenBatch positives, TokenBatch negatives,
            int layer, String hook, int position) {
        double[] positiveMean = mean(model, positives, layer, hook, position);
        double[] negativeMean = mean(model, negatives, layer, hook, position);
        float[] direction = new float[positiveMean.length];
        for (int i = 0; i < direction.length; i++) {
            direction[i] = (float) (positiveMean[i] - negativeMean[i]);
        }
        return SteeringVector.of(direction);
    }

    private static double[] mean(HookedTransformer model, TokenBatch batch, int layer, String hook, int position) {
        int length = batch.sequenceLength();
        int at = position < 0 ? length + position : position;
        if (at < 0 || at >= length) {
            throw new SteeringException("cannot read position " + position + " of prompts of " + length + " tokens");
        }
        float[][] residuals = rows(model, batch, layer, hook);
        int width = model.config().dModel();
        double[] sum = new double[width];
        for (float[] row : residuals) {
            for (int i = 0; i < width; i++) {
                sum[i] += row[at * width + i];
            }
        }
        for (int i = 0; i < width; i++) {
            sum[i] /= residuals.length;
        }
        return sum;
    }

    /** Each row's residual {@code [pos * d_model]} at the hook, from one cached pass. */
    private static float[][] rows(HookedTransformer model, TokenBatch batch, int layer, String hook) {
        ShapeChecks shape = new ShapeChecks(Steering.modelName(model), model.config());
        SteeringRules.check(shape, layer, hook, 0, new int[0]).ifPresent(problem -> {
            throw new SteeringException(problem.problem().text());
        });
        String name = "blocks." + layer + "." + hook;
        try (ForwardResult result = model.run(batch, dev.arrakis.hooks.RunOptions.none().withCache(name)
                .stoppingAtLayer(Math.min(layer + 1, model.config().layers())))) {
            float[] all = result.cache().get(name).toFloatArray();
            int rowSize = all.length / batch.batchSize();
            float[][] rows = new float[batch.batchSize()][];
            for (int row = 0; row < rows.length; row++) {
                rows[row] = java.util.Arrays.copyOfRange(all, row * rowSize, (row + 1) * rowSize);
            }
            return rows;
        }
    }

    private static long[] padded(long[] tokens, int length, long padToken) {
        long[] padded = java.util.Arrays.copyOf(tokens, length);
        java.util.Arrays.fill(padded, tokens.length, length, padToken);
        return padded;
    }
}
