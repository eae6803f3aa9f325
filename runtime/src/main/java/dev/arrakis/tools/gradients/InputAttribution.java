package dev.arrakis.tools.gradients;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
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
 *       metric(x')}) falls as {@code 1 / steps²} for a smooth metric. The steps run as copies of the batch in one
 *       pass (up to 256 rows a pass) with one backward pass.
 * </ul>
 */
public final class InputAttribution {
    /** Integration steps run side by side as copies of the batch, up to this many rows per pass. */
    private static final int MAX_ROWS_PER_PASS = 256;

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
        int stepsPerPass = Math.max(1, Math.min(steps, MAX_ROWS_PER_PASS / batch.batchSize()));
        for (int first = 0; first < steps; first += stepsPerPass) {
            int count = Math.min(stepsPerPass, steps - first);
            float[] path = new float[count * input.length];
            for (int copy = 0; copy < count; copy++) {
                float alpha = (first + copy + 0.5f) / steps;
                for (int i = 0; i < input.length; i++) {
                    path[copy * input.length + i] = start[i] + alpha * (input[i] - start[i]);
                }
            }
            Shape pathShape = new Shape((long) count * batch.batchSize(), batch.sequenceLength(), dModel);
            RunOptions onPath = RunOptions.none().withHook(embed, (activation, context) ->
                    context.scope().create(path, pathShape).toType(activation.getDataType(), false).duplicate());
            try (GradientCache cache = Gradients.runWithCache(model, repeat(batch, count), onPath,
                    summedOverCopies(metric, batch.batchSize(), count), List.of(embed))) {
                float[] gradient = cache.gradient(embed).toFloatArray();
                for (int i = 0; i < gradient.length; i++) {
                    gradientSum[i % input.length] += gradient[i];
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

    /**
     * The metric of each copy of the batch, summed: copies are independent rows, so the gradient at copy {@code k} is
     * the metric's gradient at that copy's point on the path, and one backward pass serves every step of a pass.
     */
    private static LogitMetric summedOverCopies(LogitMetric metric, int rows, int copies) {
        return logits -> {
            NDArray total = null;
            for (int copy = 0; copy < copies; copy++) {
                NDArray value = Gradients.evaluate(metric,
                        logits.get(new NDIndex("{}:{}", copy * rows, (copy + 1) * rows)));
                total = total == null ? value : total.add(value);
            }
            return total;
        };
    }

    /** The batch's rows, {@code times} over. */
    private static TokenBatch repeat(TokenBatch batch, int times) {
        int rows = batch.batchSize();
        int length = batch.sequenceLength();
        long[][] tokens = new long[rows * times][length];
        boolean[][] mask = new boolean[rows * times][length];
        for (int copy = 0; copy < times; copy++) {
            for (int row = 0; row < rows; row++) {
                for (int position = 0; position < length; position++) {
                    tokens[copy * rows + row][position] = batch.token(row, position);
                    mask[copy * rows + row][position] = batch.attended(row, position);
                }
            }
        }
        return batch.hasPadding() ? TokenBatch.withMask(tokens, mask) : TokenBatch.of(tokens);
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
