package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.DetectHeads;
import dev.arrakis.annotations.ErrorMeasure;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.HeadPattern;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.tools.attention.HeadScores;

/**
 * Which heads attend to the previous token, to earlier copies of the current token, or to the token after an earlier
 * copy (an induction head)? On the repeated random sequences of {@link HeadAblation}, where all three patterns have
 * somewhere to point, we score every head against each pattern as TransformerLens's {@code detect_head} does: the
 * share of its attention that falls where the pattern is one, averaged over the prompts. A head scoring near one
 * follows the pattern; on random weights no head does.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class AttentionHeads {

    @Input
    PromptPairs prompts() {
        return new HeadAblation().prompts();
    }

    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "previous-token score by layer and head")
    HeadScores previousToken(@DetectHeads(HeadPattern.PREVIOUS_TOKEN) HeadScores scores) {
        return scores;
    }

    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "duplicate-token score by layer and head (first token excluded)")
    HeadScores duplicateToken(@DetectHeads(value = HeadPattern.DUPLICATE_TOKEN, excludeBos = true) HeadScores scores) {
        return scores;
    }

    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "induction score by layer and head")
    HeadScores induction(@DetectHeads(value = HeadPattern.INDUCTION, measure = ErrorMeasure.MUL) HeadScores scores) {
        return scores;
    }
}
