package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.fourier.FourierBasis;
import dev.arrakis.train.ModularAdditionTask;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The Fourier algorithm of a model that grokked modular addition (Nanda et al. 2023). The model is
 * {@code models/modadd-1l}: one layer trained in Java on {@code a b =} to predict {@code (a + b) mod 59} from 40% of
 * the 59 x 59 pairs ({@code models/modadd-1l/TRAINING.md}). We (1) measure its accuracy on the 60% of pairs it never
 * saw, and (2) project the embedding of the numbers {@code 0..58}, W_E's first 59 rows, on the Fourier basis over
 * those numbers: for each frequency k, the norm of the embedding along {@code cos(2 pi k x / 59)} and
 * {@code sin(2 pi k x / 59)}. A model that adds by rotating through a few frequencies embeds the numbers on those
 * few waves and nearly nothing else; the verdict names them with their share of the embedding's squared norm.
 */
@Experiment(config = "models/modadd-1l/config.json")
public class ModularAddition {
    /** The committed model's task: {@code train modular-addition --p 59 --train-fraction 0.4 --seed 1}. */
    static final ModularAdditionTask TASK = new ModularAdditionTask(59, 0.4, 1);
    /** A frequency is "key" when it holds at least this share of the embedding's squared norm. */
    static final double KEY_SHARE = 0.05;

    /** Every pair the model was not trained on, as rows {@code a b =}. */
    @Input
    TokenBatch heldOut() {
        return TASK.rows(TASK.testPairs());
    }

    /** The share of held-out rows whose most likely token at {@code =} is {@code (a + b) mod p}. */
    @Run
    double testAccuracy(Logits logits, TokenBatch heldOut) {
        return accuracy(logits.array().toFloatArray(), heldOut, (int) logits.array().getShape().get(2));
    }

    static double accuracy(float[] logits, TokenBatch rows, int vocab) {
        int length = rows.sequenceLength();
        int correct = 0;
        for (int row = 0; row < rows.batchSize(); row++) {
            int at = (row * length + length - 1) * vocab;
            int best = 0;
            for (int token = 1; token < vocab; token++) {
                if (logits[at + token] > logits[at + best]) {
                    best = token;
                }
            }
            if (best == TASK.answer((int) rows.token(row, 0), (int) rows.token(row, 1))) {
                correct++;
            }
        }
        return (double) correct / rows.batchSize();
    }

    /** For each frequency k = 0..29, the norm of W_E's number rows along its cosine and sine (k = 0: the constant). */
    @Run
    @Plot(kind = PlotKind.BAR, title = "norm of the embedding W_E along each frequency k of the Fourier basis mod 59")
    double[] embeddingFrequencies(HookedTransformer model) {
        return embeddingNorms(model).norms();
    }

    static FourierBasis.FrequencyNorms embeddingNorms(HookedTransformer model) {
        return FourierBasis.of(TASK.modulus()).norms(model.weights().embedding());
    }

    /** The key frequencies with their shares, and the accuracy on held-out pairs. */
    @Run
    String verdict(Logits logits, TokenBatch heldOut, HookedTransformer model) {
        FourierBasis.FrequencyNorms norms = embeddingNorms(model);
        List<Integer> key = norms.strongest(KEY_SHARE);
        double keyShare = key.stream().mapToDouble(norms::share).sum();
        String listed = key.stream().map(k -> String.format(Locale.ROOT, "k=%d %.1f%%", k, 100 * norms.share(k)))
                .collect(Collectors.joining(", "));
        int frequencies = norms.norms().length - 1;
        return String.format(Locale.ROOT, "accuracy on the %d held-out pairs: %.2f%%%n"
                        + "key frequencies of the embedding (share of its squared norm >= %.0f%%): %s%n"
                        + "together %.1f%% of the embedding's squared norm; the other %d frequencies share %.1f%%"
                        + " (%.2f%% each if spread evenly over all %d)",
                heldOut.batchSize(), 100 * testAccuracy(logits, heldOut), 100 * KEY_SHARE,
                listed.isEmpty() ? "none" : listed, 100 * keyShare, frequencies - key.size(),
                100 * (1 - keyShare - norms.share(0)), 100.0 / frequencies, frequencies);
    }
}
