package dev.arrakis.samples.experiments.ioi;

import dev.arrakis.annotations.Ablate;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.samples.experiments.IoiPrompts;
import java.util.List;

/**
 * The runs of {@code IndirectObjectIdentification}, declared the same way, on the committed GPT-2-shaped
 * {@code models/gpt2-tiny}: no GPT-2 weights can be had here, and a runner only runs an experiment on a model of the
 * shape it was built for. Its 384-token vocabulary has no names, so single-token words stand in for them and for
 * the places and objects; the templates, tokenization, padding and metric are the sample's own ({@link IoiPrompts}). The
 * "name movers" are two heads of layer 1 and one of layer 0, in place of L9H6, L9H9 and L10H0.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class IoiOnGpt2Tiny {
    /**
     * Two of the sample's templates, the two shortest in this tokenizer's tokens (it spells most words letter by
     * letter, and the model's context is 32), with single-token words for names, places and objects.
     */
    public static final IoiPrompts.Dataset WORDS = new IoiPrompts.Dataset(
            List.of(IoiPrompts.Dataset.PAPER_SUBSET.babaTemplates().get(0),
                    IoiPrompts.Dataset.PAPER_SUBSET.babaTemplates().get(3)),
            List.of("river", "night", "morning", "children"), List.of("town"), List.of("stone"));
    public static final int PROMPTS = 10;

    @Input
    IoiPrompts prompts(HookedTransformer model) {
        return IoiPrompts.of(model, WORDS, PROMPTS, 0);
    }

    @Run
    double logitDifference(Logits logits, IoiPrompts prompts) {
        return prompts.meanLogitDiff(logits);
    }

    @Ablate(layer = Sweep.ALL, head = Sweep.ALL)
    @Plot(title = "logit(IO) - logit(S) with each head zero-ablated (layer x head)")
    double eachHeadZeroAblated(Logits logits, IoiPrompts prompts) {
        return prompts.meanLogitDiff(logits);
    }

    @Ablate(layer = 1, head = {0, 2})
    @Ablate(layer = 0, head = 3)
    double nameMoversZeroAblated(Logits logits, IoiPrompts prompts) {
        return prompts.meanLogitDiff(logits);
    }
}
