package dev.arrakis.tools.attention;

import dev.arrakis.ArrakisException;
import dev.arrakis.annotations.ErrorMeasure;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.List;
import java.util.Objects;

/**
 * Scores every attention head for how closely its pattern follows a {@link DetectionPattern} (previous-token,
 * duplicate-token, induction, or one of your own), exactly as TransformerLens's {@code detect_head} does: per
 * sequence, an {@link ErrorMeasure} of the head's {@code [query][key]} pattern against the detection pattern, then
 * the mean over the sequences of the batch.
 *
 * <pre>{@code
 * String[] hooks = HeadDetector.requiredHooks(model.hookPoints()).toArray(String[]::new);
 * try (ForwardResult run = model.runWithCache(batch, hooks)) {
 *     HeadScores induction = HeadDetector.detect(run.cache(), model.hookPoints(), batch, DetectionPattern.INDUCTION);
 * }
 * }</pre>
 *
 * <p>Two differences from TransformerLens, both where it has no answer: a left-padded row is scored over its real
 * tokens only (its pattern there is that of the row alone, and its first real token is the one
 * {@link Options#excludeBos} drops), and the options apply to every row of a batch (TransformerLens, given a list of
 * sequences, forgets them). The "abs" score is not rounded.
 */
public final class HeadDetector {
    private HeadDetector() {}

    /**
     * What to compare and what to leave out, as {@code detect_head}'s keyword arguments.
     *
     * @param measure {@code error_measure}
     * @param excludeBos {@code exclude_bos}: attention to the first token is set to zero before comparing
     * @param excludeCurrentToken {@code exclude_current_token}: attention of each query to itself is set to zero
     */
    public record Options(ErrorMeasure measure, boolean excludeBos, boolean excludeCurrentToken) {
        /** TransformerLens's defaults: "mul", nothing excluded. */
        public static final Options DEFAULT = new Options(ErrorMeasure.MUL, false, false);

        public Options {
            Objects.requireNonNull(measure, "measure");
        }

        public Options withMeasure(ErrorMeasure measure) {
            return new Options(measure, excludeBos, excludeCurrentToken);
        }

        public Options excludingBos() {
            return new Options(measure, true, excludeCurrentToken);
        }

        public Options excludingCurrentToken() {
            return new Options(measure, excludeBos, true);
        }
    }

    /** The hooks to cache: every layer's attention pattern. */
    public static List<String> requiredHooks(HookPoints points) {
        return LayerPatterns.hooks(points);
    }

    /** Every head's score with TransformerLens's default options. */
    public static HeadScores detect(ActivationCache cache, HookPoints points, TokenBatch tokens,
            DetectionPattern pattern) {
        return detect(cache, points, tokens, pattern, Options.DEFAULT);
    }

    /**
     * Every head's score, {@code [layer][head]}, averaged over the rows of {@code tokens}.
     *
     * @param cache a cache of {@code tokens}' pass holding {@link #requiredHooks}
     * @throws ArrakisException when a pattern is not cached, or a fixed detection pattern does not fit a row
     */
    public static HeadScores detect(ActivationCache cache, HookPoints points, TokenBatch tokens,
            DetectionPattern pattern, Options options) {
        int layers = points.config().layers();
        double[][] scores = new double[layers][];
        for (int layer = 0; layer < layers; layer++) {
            LayerPatterns patterns = LayerPatterns.read(cache, points, layer, tokens);
            scores[layer] = new double[patterns.heads()];
            for (int row = 0; row < patterns.rows(); row++) {
                double[][] detection = pattern.forTokens(patterns.attendedTokens(row));
                for (int head = 0; head < patterns.heads(); head++) {
                    scores[layer][head] += score(patterns.matrix(row, head), detection, options) / patterns.rows();
                }
            }
        }
        String measure = pattern.name() + " (" + options.measure().name().toLowerCase(java.util.Locale.ROOT)
                + (options.excludeBos() ? ", BOS excluded" : "") + (options.excludeCurrentToken()
                        ? ", current token excluded" : "") + ")";
        return new HeadScores(measure, scores);
    }

    /**
     * One head's score on one sequence: TransformerLens's {@code compute_head_attention_similarity_score}.
     *
     * @param attention the head's pattern {@code [query][key]}
     * @param detection the detection pattern, of the same size
     */
    public static double score(double[][] attention, double[][] detection, Options options) {
        int size = attention.length;
        if (detection.length != size) {
            throw new ArrakisException("the detection pattern has " + detection.length + " queries but the attention"
                    + " pattern has " + size);
        }
        double matched = 0;
        double total = 0;
        for (int query = 0; query < size; query++) {
            for (int key = 0; key < size; key++) {
                boolean excluded = (options.excludeBos() && key == 0)
                        || (options.excludeCurrentToken() && key == query);
                if (options.measure() == ErrorMeasure.MUL) {
                    double weight = excluded ? 0 : attention[query][key];
                    matched += weight * detection[query][key];
                    total += weight;
                } else if (!excluded) {
                    matched += Math.abs(attention[query][key] - detection[query][key]);
                }
            }
        }
        // abs: TransformerLens's mean over size² cells times size is the summed difference per query
        return options.measure() == ErrorMeasure.MUL ? matched / total : 1 - matched / size;
    }
}
