package dev.arrakis.tools.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.List;

/**
 * The logit lens read out: logits {@code [layer, batch, pos, d_vocab]} for the residual before each block and at the
 * end ({@code 0_pre .. final_post}), with the final norm applied as {@link #norm()} says. The array lives in the
 * manager the caller passed to {@link LogitLens#read}.
 */
public final class LayerLogits {
    private final List<String> labels;
    private final NDArray logits;
    private final FinalNorm norm;
    private final Vocabulary vocabulary;

    LayerLogits(List<String> labels, NDArray logits, FinalNorm norm, Vocabulary vocabulary) {
        this.labels = List.copyOf(labels);
        this.logits = logits;
        this.norm = norm;
        this.vocabulary = vocabulary;
    }

    /** {@code 0_pre, 1_pre, ..., final_post}: the residual each row of logits was read from. */
    public List<String> labels() {
        return labels;
    }

    /** {@code [layer, batch, pos, d_vocab]}. */
    public NDArray array() {
        return logits;
    }

    /** How the final norm was applied to each layer's residual. */
    public FinalNorm norm() {
        return norm;
    }

    /** The logits over the vocabulary read from one residual at one example and position (negative from the end). */
    public float[] logits(String label, int batch, int position) {
        long positions = logits.getShape().get(2);
        int resolved = position < 0 ? (int) (positions + position) : position;
        if (batch < 0 || batch >= logits.getShape().get(1) || resolved < 0 || resolved >= positions) {
            throw new LensException("(" + batch + ", " + position + ") is outside these logits of "
                    + logits.getShape().get(1) + " examples and " + positions + " positions");
        }
        int layer = indexOf(label);
        // a read-out must not leave its slice in the caller's manager, which may hold it for a long time
        try (NDManager scope = logits.getManager().newSubManager()) {
            return logits.get(scope, new NDIndex("{}, {}, {}", layer, batch, resolved)).toFloatArray();
        }
    }

    /** The {@code k} tokens the residual {@code label} predicts most at that place, best first. */
    public List<TokenScore> topK(String label, int batch, int position, int k) {
        return vocabulary.topK(logits(label, batch, position), k);
    }

    /** The top {@code k} at that place for every residual, in {@link #labels()} order. */
    public List<List<TokenScore>> topK(int batch, int position, int k) {
        List<List<TokenScore>> byLayer = new ArrayList<>();
        for (String label : labels) {
            byLayer.add(topK(label, batch, position, k));
        }
        return byLayer;
    }

    /** One token's rank, logit and probability as the residual {@code label} predicts it at that place. */
    public TokenScore score(String label, int batch, int position, long token) {
        return vocabulary.score(logits(label, batch, position), token);
    }

    /** One token's score at that place for every residual, in {@link #labels()} order. */
    public List<TokenScore> scores(int batch, int position, long token) {
        return labels.stream().map(label -> score(label, batch, position, token)).toList();
    }

    /**
     * One token's score at every residual and position of one example, {@code [layer][pos]}: how its logit,
     * probability and rank grow through the model, e.g. for a heatmap.
     */
    public TokenScore[][] scores(int batch, long token) {
        int positions = Math.toIntExact(logits.getShape().get(2));
        TokenScore[][] byLayer = new TokenScore[labels.size()][positions];
        for (int layer = 0; layer < labels.size(); layer++) {
            for (int position = 0; position < positions; position++) {
                byLayer[layer][position] = score(labels.get(layer), batch, position, token);
            }
        }
        return byLayer;
    }

    private int indexOf(String label) {
        int index = labels.indexOf(label);
        if (index < 0) {
            throw new LensException("no residual '" + label + "' in this lens" + DidYouMean.hint(label, labels)
                    + " (residuals: " + String.join(", ", labels) + ")");
        }
        return index;
    }
}
