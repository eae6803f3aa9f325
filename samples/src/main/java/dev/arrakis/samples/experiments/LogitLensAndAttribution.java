package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogitLens;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.StackResidual;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.tools.lens.DirectLogitAttribution;
import dev.arrakis.tools.lens.LayerLogits;
import dev.arrakis.tools.lens.LogitAttribution;
import dev.arrakis.tools.residual.ResidualStack;
import java.util.List;

/**
 * At which layer does the model's answer to a repeated sequence become readable, and which components write it? On
 * the repeated prompts of {@link HeadAblation} we read the logit lens (the residual before each block and after the
 * last, each put through the final norm and the unembedding) and take the correct token's probability at the last
 * position, layer by layer. Then we attribute the final logit difference between the correct and the distractor
 * token to the components that wrote the residual stream (embeddings, each attention layer, each MLP), each divided by
 * the final norm's cached scale (direct logit attribution). The model's tokenizer shows what each layer would say.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class LogitLensAndAttribution {

    @Input
    PromptPairs prompts() {
        return new HeadAblation().prompts();
    }

    /** The correct token's probability at the last position, by layer ({@code 0_pre .. final_post}), mean of rows. */
    @Run
    @Plot(title = "probability of the correct token, by layer (logit lens)")
    double[] lensByLayer(@LogitLens(FinalNorm.RECOMPUTED) LayerLogits lens, PromptPairs prompts) {
        int last = prompts.prompts().get(0).length - 1;
        double[] probability = new double[lens.labels().size()];
        for (int layer = 0; layer < probability.length; layer++) {
            for (int prompt = 0; prompt < prompts.prompts().size(); prompt++) {
                probability[layer] += lens.score(lens.labels().get(layer), prompt, last, prompts.correct()[prompt])
                        .probability() / prompts.prompts().size();
            }
        }
        return probability;
    }

    /** The token each layer would predict after the first prompt, as text. */
    @Run
    List<String> topTokenByLayer(@LogitLens(FinalNorm.RECOMPUTED) LayerLogits lens, PromptPairs prompts) {
        int last = prompts.prompts().get(0).length - 1;
        return lens.labels().stream().map(label -> lens.topK(label, 0, last, 1).get(0).text()).toList();
    }

    /**
     * Each component's share of the final logit difference at the last position, mean of prompts, in the stack's
     * order: embed, pos_embed, 0_attn_out, 0_mlp_out, 1_attn_out, 1_mlp_out.
     */
    @Run
    @Plot(kind = PlotKind.BAR, title = "logit difference written by each component (embed .. 1_mlp_out)")
    double[] attribution(@StackResidual(Breakdown.LAYERS) ResidualStack stack, HookedTransformer model,
            ActivationCache cache, PromptPairs prompts) {
        LogitAttribution attribution = DirectLogitAttribution.attribute(stack, model, cache, prompts.correct(),
                prompts.distractor());
        int last = prompts.prompts().get(0).length - 1;
        double[] byComponent = new double[stack.labels().size()];
        for (int prompt = 0; prompt < prompts.prompts().size(); prompt++) {
            float[] values = attribution.byComponent(prompt, last);
            for (int component = 0; component < values.length; component++) {
                byComponent[component] += values[component] / prompts.prompts().size();
            }
        }
        return byComponent;
    }
}
