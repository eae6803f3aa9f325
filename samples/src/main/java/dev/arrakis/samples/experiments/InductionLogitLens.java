package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.DetectHeads;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.annotations.HeadPattern;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogExperiment;
import dev.arrakis.annotations.LogitLens;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.StackResidual;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.attention.HeadScores;
import dev.arrakis.tools.lens.DirectLogitAttribution;
import dev.arrakis.tools.lens.LayerLogits;
import dev.arrakis.tools.lens.LogitAttribution;
import dev.arrakis.tools.residual.ResidualStack;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * Where the induction model's answer appears, and who writes it. On the sixteen repeated sequences of
 * {@link InductionHeads} (32 random tokens, then the same 32 again), we take every position of the repeated half that
 * an induction head can predict from (positions 32 to 62, each predicting the token after it: 16 x 31 predictions).
 * (1) Logit lens: the residual stream before each block and after the last ({@code 0_pre}, {@code 1_pre},
 * {@code final_post}) is put through the final LayerNorm, recomputed on that residual, and the unembedding; we report
 * the mean probability of the correct next token, in the repeated half and, for contrast, in the first half (positions
 * 0 to 30), where nothing can be copied. (2) Direct logit attribution: the final residual is split into each head's
 * output, each layer's MLP output, the token and position embeddings and the attention biases no head owns
 * ({@link Breakdown#HEADS_AND_MLPS}); each part, centred and divided by the final norm's cached scale, is dotted with
 * the direction {@code w_ln ⊙ (W_U[:, correct] − W_U[:, distractor])}, where the distractor is a random other token
 * drawn per position (seed {@value #DISTRACTOR_SEED}), and averaged over the same predictions. The verdict names the
 * heads that write more than {@value #WRITES} of the logit difference, and whether the head detector calls them
 * induction heads, as {@link InductionHeads} does.
 */
@Experiment(config = "models/induction-2l/config.json")
@LogExperiment
public class InductionLogitLens {
    static final int HALF = InductionHeads.HALF;
    /** A head "writes the answer" when its mean direct attribution is above this share of the model's own. */
    static final double WRITES = 0.1;
    static final long DISTRACTOR_SEED = 11;

    /** The sequences of {@link InductionHeads#repeated()}: the same 16 x 64 tokens. */
    @Input
    TokenBatch repeated() {
        return new InductionHeads().repeated();
    }

    /**
     * The mean probability of the correct next token at each layer of the lens, in the repeated half (positions
     * {@code HALF .. 2 HALF - 2}); {@code [0_pre, 1_pre, final_post]}.
     */
    @Run
    @Plot(title = "logit lens, repeated half: probability of the next token at 0_pre, 1_pre, final_post")
    double[] repeatByLayer(@LogitLens(FinalNorm.RECOMPUTED) LayerLogits lens, TokenBatch repeated) {
        return meanProbabilityByLayer(lens, repeated, HALF, 2 * HALF - 1);
    }

    /** The same in the first half (positions {@code 0 .. HALF - 2}), where the next token is new. */
    @Run
    @Plot(title = "logit lens, first half: probability of the next token at 0_pre, 1_pre, final_post")
    double[] firstHalfByLayer(@LogitLens(FinalNorm.RECOMPUTED) LayerLogits lens, TokenBatch repeated) {
        return meanProbabilityByLayer(lens, repeated, 0, HALF - 1);
    }

    /**
     * Each head's mean direct attribution to logit(correct) − logit(distractor) in the repeated half, by layer and
     * head (a {@link HeadScores}, so that the picture's axes are named).
     */
    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "direct logit attribution of each head, repeated half")
    HeadScores headAttribution(@StackResidual(Breakdown.HEADS_AND_MLPS) ResidualStack stack, HookedTransformer model,
            ActivationCache cache, TokenBatch repeated) {
        double[] byComponent = meanAttribution(stack, model, cache, repeated);
        int layers = model.config().layers();
        int heads = model.config().heads();
        double[][] grid = new double[layers][heads];
        for (int layer = 0; layer < layers; layer++) {
            for (int head = 0; head < heads; head++) {
                grid[layer][head] = byComponent[stack.indexOf(headLabel(layer, head))];
            }
        }
        return new HeadScores("direct logit attribution", grid);
    }

    /**
     * Where the answer appears (the lens, both halves), the model's own logit difference and the components that
     * write it, strongest first, each marked with its induction score.
     */
    @Run
    String verdict(@LogitLens(FinalNorm.RECOMPUTED) LayerLogits lens,
            @StackResidual(Breakdown.HEADS_AND_MLPS) ResidualStack stack, HookedTransformer model,
            ActivationCache cache, TokenBatch repeated, @DetectHeads(HeadPattern.INDUCTION) HeadScores induction) {
        double[] repeat = meanProbabilityByLayer(lens, repeated, HALF, 2 * HALF - 1);
        double[] first = meanProbabilityByLayer(lens, repeated, 0, HALF - 1);
        double[] byComponent = meanAttribution(stack, model, cache, repeated);
        double total = 0;
        for (double value : byComponent) {
            total += value;
        }
        StringBuilder lensLine = new StringBuilder();
        for (int layer = 0; layer < repeat.length; layer++) {
            lensLine.append(String.format(Locale.ROOT, "%s%s %.3f (first half %.3f)", layer == 0 ? "" : ", ",
                    lens.labels().get(layer), repeat[layer], first[layer]));
        }
        List<String> writers = writers(stack.labels(), byComponent, total).stream()
                .map(component -> String.format(Locale.ROOT, "%s %+.2f%s", component,
                        byComponent[stack.indexOf(component)], inductionMark(component, induction)))
                .toList();
        return String.format(Locale.ROOT, "probability of the next token, repeated half, by layer: %s%n"
                        + "direct logit attribution, correct - distractor, repeated half: %.2f in all%n"
                        + "heads writing more than %.0f%% of it: %s",
                lensLine, total, 100 * WRITES, writers.isEmpty() ? "none" : String.join(", ", writers));
    }

    /** The heads whose mean attribution exceeds {@link #WRITES} of the total, strongest first. */
    static List<String> writers(List<String> labels, double[] byComponent, double total) {
        List<String> heads = new ArrayList<>();
        for (int component = 0; component < labels.size(); component++) {
            if (labels.get(component).matches("L\\d+H\\d+") && byComponent[component] > WRITES * total) {
                heads.add(labels.get(component));
            }
        }
        heads.sort((a, b) -> Double.compare(byComponent[labels.indexOf(b)], byComponent[labels.indexOf(a)]));
        return heads;
    }

    private static String inductionMark(String head, HeadScores induction) {
        int layer = Integer.parseInt(head.substring(1, head.indexOf('H')));
        int index = Integer.parseInt(head.substring(head.indexOf('H') + 1));
        double score = induction.get(layer, index);
        return String.format(Locale.ROOT, " (induction score %.2f%s)", score,
                score > InductionHeads.FOLLOWS ? ", an induction head" : "");
    }

    static String headLabel(int layer, int head) {
        return "L" + layer + "H" + head;
    }

    /** Mean over rows and over positions {@code from .. to - 1} of the probability of the token at position + 1. */
    static double[] meanProbabilityByLayer(LayerLogits lens, TokenBatch tokens, int from, int to) {
        double[] probability = new double[lens.labels().size()];
        int counted = tokens.batchSize() * (to - from);
        for (int layer = 0; layer < probability.length; layer++) {
            for (int row = 0; row < tokens.batchSize(); row++) {
                for (int position = from; position < to; position++) {
                    probability[layer] += lens.score(lens.labels().get(layer), row, position,
                            tokens.token(row, position + 1)).probability() / counted;
                }
            }
        }
        return probability;
    }

    /** The token after each position (the last position repeats its own token: it is never counted). */
    static long[][] nextTokens(TokenBatch tokens) {
        int length = tokens.sequenceLength();
        long[][] next = new long[tokens.batchSize()][length];
        for (int row = 0; row < next.length; row++) {
            for (int position = 0; position < length; position++) {
                next[row][position] = tokens.token(row, Math.min(position + 1, length - 1));
            }
        }
        return next;
    }

    /** A random token other than the correct one, per row and position. */
    static long[][] distractors(long[][] correct, int vocab) {
        Random random = new Random(DISTRACTOR_SEED);
        long[][] distractor = new long[correct.length][];
        for (int row = 0; row < correct.length; row++) {
            distractor[row] = new long[correct[row].length];
            for (int position = 0; position < correct[row].length; position++) {
                distractor[row][position] = (correct[row][position] + 1 + random.nextInt(vocab - 1)) % vocab;
            }
        }
        return distractor;
    }

    /** Each component's attribution, averaged over the repeated half's predictions, in the stack's order. */
    static double[] meanAttribution(ResidualStack stack, HookedTransformer model, ActivationCache cache,
            TokenBatch repeated) {
        long[][] correct = nextTokens(repeated);
        LogitAttribution attribution = DirectLogitAttribution.attribute(stack, model, cache, correct,
                distractors(correct, model.config().vocabSize()));
        double[] mean = new double[stack.size()];
        int counted = repeated.batchSize() * (HALF - 1);
        for (int row = 0; row < repeated.batchSize(); row++) {
            for (int position = HALF; position < 2 * HALF - 1; position++) {
                float[] values = attribution.byComponent(row, position);
                for (int component = 0; component < values.length; component++) {
                    mean[component] += values[component] / counted;
                }
            }
        }
        return mean;
    }
}
