package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.StackResidual;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.tools.flow.HeadInput;
import dev.arrakis.tools.flow.ReadWrite;
import dev.arrakis.tools.flow.ResidualMovement;
import dev.arrakis.tools.residual.ResidualStack;

/**
 * How does information move through the residual stream on the repeated prompts of {@link HeadAblation}? We measure
 * how far each block moves the stream (the mean norm of what it adds), which heads and MLPs write along the direction
 * that the unembedding reads as the first prompt's answer, and which heads read that direction through their keys.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class InformationFlow {

    @Input
    PromptPairs prompts() {
        return new HeadAblation().prompts();
    }

    /** {@code ‖r_{l+1} − r_l‖}: how far block l moves the stream, mean over prompts and positions. */
    @Run
    @Plot(kind = PlotKind.BAR, title = "how far each block moves the residual stream")
    double[] movement(@StackResidual(Breakdown.ACCUMULATED) ResidualStack stream) {
        return ResidualMovement.of(stream).stepNorms();
    }

    /** Each head's and MLP's write along the answer direction (heads L0H0 .. L1H3, then 0_mlp_out, 1_mlp_out, ..). */
    @Run
    @Plot(kind = PlotKind.BAR, title = "write along the first prompt's answer direction, per head and MLP")
    double[] writesToTheAnswer(@StackResidual(Breakdown.HEADS_AND_MLPS) ResidualStack parts, HookedTransformer model,
            PromptPairs prompts) {
        return ReadWrite.writes(parts, answerDirection(model, prompts));
    }

    /** How much of the answer direction each head's key weights read, {@code [layer][head]}. */
    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "key-side read of the answer direction, by layer (row) and head (column)")
    double[][] keyReadsOfTheAnswer(HookedTransformer model, PromptPairs prompts) {
        return ReadWrite.headReads(model, answerDirection(model, prompts), HeadInput.KEY);
    }

    /** The unembedding's column for the first prompt's correct token: what the final residual is read along. */
    static float[] answerDirection(HookedTransformer model, PromptPairs prompts) {
        return model.weights().unembedding().get(":, " + prompts.correct()[0]).toFloatArray();
    }
}
