package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.BlendHeads;
import dev.arrakis.annotations.Edit;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.Run;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.model.surgery.ModelSurgery;

/**
 * Model surgery on the two-layer induction model ({@code models/induction-2l}): which layers does the repeat need, in
 * which order, and how interchangeable are its induction heads? On the sixteen repeated sequences of
 * {@link InductionHeads} we measure the loss on the repeated half (log 64 = 4.16 nats is a uniform guess) of the
 * trained model and of edited views of it that share its weights: without layer 0 (the previous-token heads), without
 * layer 1 (the induction heads), with the two layers swapped, with layer 0 run twice, and with induction head L1H3
 * replaced by a copy of L1H1. Last, we blend L1H1 into L1H3 with alpha from 0 (unchanged) to 1 (a copy) and follow
 * the loss.
 */
@Experiment(config = "models/induction-2l/config.json")
public class LayerSurgery {
    /** The blend weights of {@link #blendingL1H1IntoL1H3}. */
    static final double[] ALPHAS = {0, 0.25, 0.5, 0.75, 1};

    @Input
    TokenBatch repeated() {
        return new InductionHeads().repeated();
    }

    /** The repeated-half loss of a model, in nats, computed as {@link InductionHeads#repeatLoss} does. */
    public static double repeatLoss(HookedTransformer model, TokenBatch tokens) {
        try (ForwardResult pass = model.forward(tokens)) {
            return InductionHeads.repeatLoss(new Logits(pass.logits()), tokens);
        }
    }

    @Run(input = "repeated")
    double original(Logits logits, TokenBatch repeated) {
        return InductionHeads.repeatLoss(logits, repeated);
    }

    @Run(input = "repeated")
    double withoutLayer0(@Edit(deleteLayers = 0) HookedTransformer view, TokenBatch repeated) {
        return repeatLoss(view, repeated);
    }

    @Run(input = "repeated")
    double withoutLayer1(@Edit(deleteLayers = 1) HookedTransformer view, TokenBatch repeated) {
        return repeatLoss(view, repeated);
    }

    @Run(input = "repeated")
    double layersSwapped(@Edit(permuteLayers = {1, 0}) HookedTransformer view, TokenBatch repeated) {
        return repeatLoss(view, repeated);
    }

    @Run(input = "repeated")
    double layer0Twice(@Edit(duplicateLayer = 0) HookedTransformer view, TokenBatch repeated) {
        return repeatLoss(view, repeated);
    }

    @Run(input = "repeated")
    double l1h3CopiesL1h1(@BlendHeads(layer = 1, head = 1, into = 3, alpha = 1) HookedTransformer view,
            TokenBatch repeated) {
        return repeatLoss(view, repeated);
    }

    /** The same blend at every alpha of {@link #ALPHAS}, through the Java API; each view is closed before the next. */
    @Run(input = "repeated")
    @Plot(title = "repeated-half loss (nats) as L1H1 is blended into L1H3 (alpha 0, 0.25, 0.5, 0.75, 1)")
    double[] blendingL1H1IntoL1H3(HookedTransformer model, TokenBatch repeated) {
        double[] losses = new double[ALPHAS.length];
        for (int i = 0; i < ALPHAS.length; i++) {
            try (HookedTransformer view = ModelSurgery.on(model).blendHeads(1, 1, 3, ALPHAS[i]).build()) {
                losses[i] = repeatLoss(view, repeated);
            }
        }
        return losses;
    }
}
