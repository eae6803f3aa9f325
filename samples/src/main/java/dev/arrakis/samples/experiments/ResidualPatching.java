package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Capture;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Patch;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.Logits;

/**
 * Where does the information that completes a repeated sequence live? We run the repeated prompts (clean) and the
 * same prompts with a fresh second half (corrupted), then patch the clean residual stream into the corrupted run at
 * every layer and position and measure how much of the clean logit difference comes back. We also read the first
 * layer's attention pattern on the clean prompts.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class ResidualPatching {

    @Input
    PromptPairs clean() {
        return new HeadAblation().prompts();
    }

    @Input
    PromptPairs corrupted() {
        return clean().withFreshSecondHalf(HeadAblation.VOCAB, 11);
    }

    @Patch(hook = Gpt2TinyHooks.RESID_PRE, layer = Sweep.ALL, position = Sweep.ALL)
    @Plot(title = "clean logit difference restored by patching resid_pre")
    double residPre(Logits logits, PromptPairs clean) {
        return clean.meanLogitDiff(logits);
    }

    @Run(input = "clean")
    @Plot(kind = PlotKind.ATTENTION)
    AttentionPattern firstLayerPattern(@Capture(Gpt2TinyHooks.L0_ATTN_PATTERN) AttentionPattern pattern) {
        return pattern;
    }
}
