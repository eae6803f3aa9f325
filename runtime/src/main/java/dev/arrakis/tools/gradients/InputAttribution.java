package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.util.List;

/**
 * Attribution of a metric to the input tokens through the token embeddings ({@code hook_embed}; learned position
 * embeddings are left as they are, as Captum's layer attribution on the word embeddings does).
 *
 * <ul>
 *   <li>Input × gradient: {@code Σ_d x[r,p,d] · ∂metric/∂x[r,p,d]}, one forward and one backward pass.
 *   <li>Integrated gradients (Sundararajan et al. 2017): {@code Σ_d (x - x')[r,p,d] · mean_k ∂metric/∂x(α_k)} along
 *       the straight path {@code x(α) = x' + α (x - x')} from a baseline {@code x'}, with the midpoint rule
 *       {@code α_k = (k + ½) / steps}: deterministic, and its error in completeness ({@code Σ scores = metric(x) -
 *       metric(x')}) falls as {@code 1 / steps²} for a smooth metric.
 * </ul>
 */
public final class InputAttribution {
    private InputAttribution() {}

    /** Input × gradient at the token embeddings. */
    public static TokenAttribution inputTimesGradient(HookedTransformer model, TokenBatch batch, LogitMetric metric) {
        String embed = model.hookPoints().embed().name();
        try (GradientCache cache = Gradients.runWithCache(model, batch, metric, embed)) {
            float[][] scores = dotOverModel(cache.activation(embed).toFloatArray(),
                    cache.gradient(embed).toFloatArray(), batch, model.config().dModel());
            return new TokenAttribution(scores, cache.metric(), Double.NaN, 0);
        }
    }

    /** Integrated gradients from the zero embedding. */
    public static TokenAttribution integratedGradients(HookedTransformer model, TokenBatch batch, LogitMetric metric,
            int steps) {
        return integratedGradients(model, batch, metric, steps, null);
    }

    /**
     * Integrated gradients from a given baseline embedding.
     *
     * @param baseline {@code [batch, pos, d_model]}, what {@code hook_embed} holds at the start of the path; null for
     *     the zero embedding
     */
    public static TokenAttribution integratedGradients(HookedTransformer model, TokenBatch batch, LogitMetric metric,
            int steps, NDArray baseline) {
        if (steps < 1) {
            throw new ArrakisException("integrated gradients needs at least one step, not " + steps);
        }
        int dModel = model.config().dModel();
        Shape embedShape = new Shape(batch.batchSize(), batch.sequenceLength(), dModel);
        if (baseline != null && !baseline.getShape().equals(embedShape)) {
            throw new ArrakisException("the integrated-gradients baseline is " + baseline.getShape()
                    + " but hook_embed is " + embedShape + " for this batch");
        }
        String embed = model.hookPoints().embed().name();
        float[] input;
        double inputMetric;
        try (ForwardResult result = model.runWithCache(batch, embed)) {
            input = result.cache().get(embed).toFloatArray();
            inputMetric = metricOf(metric, result);
        }
        float[] start = baseline == null ? new float[input.length] : baseline.toType(DataType.FLOAT32, false)
                .toFloatArray();
        double baselineMetric;
        try (ForwardResult result = model.run(batch, RunOptions.none().withHook(embed,
                (activation, context) -> context.scope().create(start, embedShape).toType(activation.getDataType(),
                        false)))) {
            baselineMetric = metricOf(metric, result);
        }
        double[] gradientSum = new double[input.length];
        for (int step = 0; step < steps; step++) {
            float alpha = (step + 0.5f) / steps;
            float[] point = new float[input.length];
            for (int i = 0; i < input.length; i++) {
                point[i] = start[i] + alpha * (input[i] - start[i]);
            }
            RunOptions onPath = RunOptions.none().withHook(embed, (activation, context) ->
                    context.scope().create(point, embedShape).toType(activation.getDataType(), false).duplicate());
            try (GradientCache cache = Gradients.runWithCache(model, batch, onPath, metric, List.of(embed))) {
                float[] gradient = cache.gradient(embed).toFloatArray();
                for (int i = 0; i < gradient.length; i++) {
                    gradientSum[i] += gradient[i];
                }
            }
        }
        float[] difference = new float[input.length];
        float[] meanGradient = new float[input.length];
        for (int i = 0; i < input.length; i++) {
            difference[i] = input[i] - start[i];
            meanGradient[i] = (float) (gradientSum[i] / steps);
        }
        return new TokenAttribution(dotOverModel(difference, meanGradient, batch, dModel), inputMetric,
                baselineMetric, steps);
    }

    private static double metricOf(LogitMetric metric, ForwardResult result) {
        return Gradients.evaluate(metric, result.logits()).toType(DataType.FLOAT64, false).getDouble();
    }

    private static float[][] dotOverModel(float[] a, float[] b, TokenBatch batch, int dModel) {
        float[][] scores = new float[batch.batchSize()][batch.sequenceLength()];
        for (int row = 0; row < batch.batchSize(); row++) {
            for (int position = 0; position < batch.sequenceLength(); position++) {
                double sum = 0;
                int base = (row * batch.sequenceLength() + position) * dModel;
                for (int d = 0; d < dModel; d++) {
                    sum += (double) a[base + d] * b[base + d];
                }
                scores[row][position] = (float) sum;
            }
        }
        return scores;
    }
}
