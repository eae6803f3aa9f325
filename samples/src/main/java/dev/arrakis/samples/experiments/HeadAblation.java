package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Ablate;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogExperiment;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.hooks.Logits;

/**
 * Which attention heads does the model use to continue a repeated sequence? We measure the logit difference between
 * the token that followed the repeated token the first time and a random distractor, first on the unmodified model,
 * then with each head zero-ablated in turn (a layer by head grid), with two heads ablated together, and with a set
 * of MLP neurons mean-ablated.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
@LogExperiment
public class HeadAblation {
    static final int PROMPTS = 4;
    static final int HALF_LENGTH = 6;
    static final int VOCAB = 384;

    @Input
    PromptPairs prompts() {
        return PromptPairs.repeatedSequences(PROMPTS, HALF_LENGTH, VOCAB, 7);
    }

    @Run
    double baseline(Logits logits, PromptPairs prompts) {
        return prompts.meanLogitDiff(logits);
    }

    @Ablate(layer = Sweep.ALL, head = Sweep.ALL)
    @Plot(title = "logit difference with each head zero-ablated")
    double eachHead(Logits logits, PromptPairs prompts) {
        return prompts.meanLogitDiff(logits);
    }

    @Ablate(layer = 1, head = {0, 2})
    double twoHeadsTogether(Logits logits, PromptPairs prompts) {
        return prompts.meanLogitDiff(logits);
    }

    @Ablate(layer = 0, neuron = {3, 17, 200}, method = AblationMethod.MEAN)
    double meanAblatedNeurons(Logits logits, PromptPairs prompts) {
        return prompts.meanLogitDiff(logits);
    }
}
