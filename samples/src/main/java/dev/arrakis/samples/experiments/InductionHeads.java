package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Ablate;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Capture;
import dev.arrakis.annotations.Composition;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.annotations.DetectHeads;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.HeadPattern;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogExperiment;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.attention.HeadScores;
import dev.arrakis.tools.lens.NextTokenLoss;
import dev.arrakis.tools.weights.CompositionScores;
import dev.arrakis.train.InductionTask;
import dev.arrakis.train.ToyModels;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Induction heads in a model we trained ourselves (Olsson et al. 2022). The model is {@code models/induction-2l}: two
 * attention-only layers of four heads, trained in Java on random tokens that end in a repeated segment
 * ({@code models/induction-2l/TRAINING.md}). On sixteen sequences of 32 random tokens repeated twice, we (1) score
 * every head against the previous-token and induction patterns (the share of its attention that falls where the pattern
 * is one); (2) zero- and mean-ablate each head in turn and measure the loss on the repeated half, which only induction
 * can predict; (3) read the K-composition of every layer-0 head into every layer-1 head from the weights, since an
 * induction head finds its target through keys written by a previous-token head, and compare it with the Q- and
 * V-composition of the same heads and with the same model before training; and (4) draw one sequence's layer-1
 * attention. The verdict names the heads and gives the numbers behind it.
 */
@Experiment(config = "models/induction-2l/config.json")
@LogExperiment
public class InductionHeads {
    static final int SEQUENCES = 16;
    static final int HALF = 32;
    static final int VOCAB = 64;
    /** A head "follows" a pattern when more than this share of its attention falls on it. */
    static final double FOLLOWS = 0.3;

    /** Sixteen sequences of 32 random tokens, each repeated once: 64 tokens, the model's context. */
    @Input
    TokenBatch repeated() {
        return InductionTask.repeatedHalves(VOCAB, 2 * HALF).batches(SEQUENCES, 5).next();
    }

    /** One such sequence, for pictures. */
    @Input
    TokenBatch oneSequence() {
        return InductionTask.repeatedHalves(VOCAB, 2 * HALF).batches(1, 6).next();
    }

    /**
     * The mean loss on the tokens of the repeated half that an induction head can predict (all but its first), in
     * nats; log 64 = 4.16 is a uniform guess.
     */
    static double repeatLoss(Logits logits, TokenBatch tokens) {
        float[][] losses = NextTokenLoss.perToken(logits.array(), tokens);
        double sum = 0;
        int counted = 0;
        for (float[] row : losses) {
            for (int position = HALF; position < row.length; position++) {
                sum += row[position];
                counted++;
            }
        }
        return sum / counted;
    }

    @Run(input = "repeated")
    double baseline(Logits logits, TokenBatch repeated) {
        return repeatLoss(logits, repeated);
    }

    @Run(input = "repeated")
    @Plot(kind = PlotKind.HEATMAP, title = "previous-token score")
    HeadScores previousTokenHeads(@DetectHeads(HeadPattern.PREVIOUS_TOKEN) HeadScores scores) {
        return scores;
    }

    @Run(input = "repeated")
    @Plot(kind = PlotKind.HEATMAP, title = "induction score")
    HeadScores inductionHeads(@DetectHeads(HeadPattern.INDUCTION) HeadScores scores) {
        return scores;
    }

    @Ablate(layer = Sweep.ALL, head = Sweep.ALL)
    @Run(input = "repeated")
    @Plot(title = "repeated-half loss (nats) with each head zero-ablated")
    double zeroAblated(Logits logits, TokenBatch repeated) {
        return repeatLoss(logits, repeated);
    }

    @Ablate(layer = Sweep.ALL, head = Sweep.ALL, method = AblationMethod.MEAN)
    @Run(input = "repeated")
    @Plot(title = "repeated-half loss (nats) with each head mean-ablated")
    double meanAblated(Logits logits, TokenBatch repeated) {
        return repeatLoss(logits, repeated);
    }

    @Run(input = "repeated")
    @Plot(kind = PlotKind.HEATMAP, title = "K-composition: layer-0 head (row) into layer-1 head (column)")
    double[][] keyComposition(@Composition(CompositionKind.K) CompositionScores scores) {
        return HeadComposition.layerZeroIntoLayerOne(scores);
    }

    @Run(input = "oneSequence")
    @Plot(kind = PlotKind.ATTENTION)
    AttentionPattern layerOneAttention(@Capture("blocks.1.attn.hook_pattern") AttentionPattern pattern) {
        return pattern;
    }

    /**
     * The heads that follow each pattern, how much the repeat needs them, and how they compose: the mean K-, Q- and
     * V-composition of layer-0 heads into layer-1 heads, now and in the same model before training (the
     * initialisation {@code train induction --seed 1} started from).
     */
    @Run(input = "repeated")
    String verdict(Logits logits, TokenBatch repeated, HookedTransformer model,
            @DetectHeads(HeadPattern.PREVIOUS_TOKEN) HeadScores previousToken,
            @DetectHeads(HeadPattern.INDUCTION) HeadScores induction,
            @Composition(CompositionKind.K) CompositionScores keyComposition,
            @Composition(CompositionKind.Q) CompositionScores queryComposition,
            @Composition(CompositionKind.V) CompositionScores valueComposition) {
        List<String> previous = following(previousToken);
        List<String> inductive = following(induction);
        double[] beforeTraining = new double[3];
        try (HookedTransformer initial = ToyModels.create(model.config(), TRAINING_SEED)) {
            CompositionKind[] kinds = {CompositionKind.K, CompositionKind.Q, CompositionKind.V};
            for (int kind = 0; kind < kinds.length; kind++) {
                beforeTraining[kind] = meanIntoLayerOne(CompositionScores.of(initial, kinds[kind]));
            }
        }
        return String.format(Locale.ROOT, "previous-token heads (score > %.1f): %s%n"
                        + "induction heads (score > %.1f): %s%n"
                        + "loss on the repeated half: %.3f nats (a uniform guess: ln %d = %.3f)%n"
                        + "layer 0 -> layer 1 composition, mean of the 16 pairs: K %.3f, Q %.3f, V %.3f"
                        + " (before training: K %.3f, Q %.3f, V %.3f)",
                FOLLOWS, previous.isEmpty() ? "none" : String.join(", ", previous), FOLLOWS,
                inductive.isEmpty() ? "none" : String.join(", ", inductive), repeatLoss(logits, repeated), VOCAB,
                Math.log(VOCAB), meanIntoLayerOne(keyComposition), meanIntoLayerOne(queryComposition),
                meanIntoLayerOne(valueComposition), beforeTraining[0], beforeTraining[1], beforeTraining[2]);
    }

    /** The seed {@code models/induction-2l} was initialised with ({@code TRAINING.md}). */
    static final long TRAINING_SEED = 1;

    /** The mean score of every layer-0 head into every layer-1 head. */
    static double meanIntoLayerOne(CompositionScores scores) {
        double[][] block = HeadComposition.layerZeroIntoLayerOne(scores);
        return Arrays.stream(block).flatMapToDouble(Arrays::stream).average().orElseThrow();
    }

    /** {@code L0H1 0.45} for every head whose score exceeds {@link #FOLLOWS}, strongest first. */
    static List<String> following(HeadScores scores) {
        List<double[]> heads = new ArrayList<>();
        for (int layer = 0; layer < scores.layers(); layer++) {
            for (int head = 0; head < scores.heads(); head++) {
                if (scores.get(layer, head) > FOLLOWS) {
                    heads.add(new double[] {scores.get(layer, head), layer, head});
                }
            }
        }
        heads.sort((a, b) -> Double.compare(b[0], a[0]));
        return heads.stream().map(h -> String.format(Locale.ROOT, "L%dH%d %.2f", (int) h[1], (int) h[2], h[0]))
                .toList();
    }
}
