package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Ablate;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogExperiment;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;

/**
 * Indirect object identification in GPT-2 small (Wang et al. 2022, "Interpretability in the Wild"). On
 * {@value #PROMPTS} prompts built from five of the paper's templates in their ABBA and BABA forms ("When Mary and John
 * went to the store, John gave a drink to"; {@link IoiPrompts}), with twelve of its names, eight places and eight
 * objects, BOS first and left-padded, we measure (1) the logit difference logit(IO) − logit(S) at the last position,
 * averaged over prompts (the paper reports about 3.5 on its prompt set); (2) the same with each of the 144 heads'
 * output {@code z} zero-ablated in turn, a layer x head heat map where the paper's name movers (L9H6, L9H9, L10H0)
 * should stand out; (3) with the three name movers zero-ablated together. The paper mean-ablates over a dataset of
 * other names (ABC); we zero-ablate, since a per-position mean over left-padded prompts of different templates would
 * mix tokens of different roles.
 *
 * <p>Needs {@code gpt2} in the local Hugging Face cache, or a reachable hub to download it into (docs/models.md);
 * otherwise {@code ./arrakis run} stops with exit code 2 and says how to get it. What was verified here, without the
 * weights: the class compiles against GPT-2 small's shape, and the same runs on the committed GPT-2-shaped
 * {@code models/gpt2-tiny} (single-token words for names: its 384-token vocabulary has no names) give the numbers of
 * a hand-written hooked computation ({@code IndirectObjectIdentificationTest}). Not verified here: that the twelve
 * names are single GPT-2 tokens (they are common names, and a name that is not is refused with a
 * {@code TokenizationException} naming it), the value of the logit difference, and which heads stand out.
 */
@Experiment(model = "gpt2")
@LogExperiment
public class IndirectObjectIdentification {
    static final int PROMPTS = 40;
    static final long SEED = 0;

    @Input
    IoiPrompts prompts(HookedTransformer model) {
        return IoiPrompts.of(model, IoiPrompts.Dataset.PAPER_SUBSET, PROMPTS, SEED);
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

    /** The paper's three name movers, L9H6, L9H9 and L10H0, ablated together. */
    @Ablate(layer = 9, head = {6, 9})
    @Ablate(layer = 10, head = 0)
    double nameMoversZeroAblated(Logits logits, IoiPrompts prompts) {
        return prompts.meanLogitDiff(logits);
    }
}
