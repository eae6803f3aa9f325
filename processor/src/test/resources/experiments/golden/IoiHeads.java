package golden;

import ai.djl.ndarray.NDArray;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Ablate;
import dev.arrakis.annotations.Axis;
import dev.arrakis.annotations.Capture;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.LogExperiment;
import dev.arrakis.annotations.Patch;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Sweep;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ModelConfig;
import java.util.List;

/** Which heads move names in indirect-object identification. */
@Experiment(model = "gpt2", name = "ioi-heads")
public class IoiHeads {

    @Input
    TokenBatch clean() {
        return TokenBatch.of(new long[] {464, 3290, 318});
    }

    @Input
    TokenBatch corrupted(HookedTransformer model) {
        return TokenBatch.of(new long[] {464, 3797, 318});
    }

    @Input("labels")
    static List<String> tokenLabels() {
        return List.of("The", "Mary", "is");
    }

    /** One run per (layer, head): a 12 x 12 grid. */
    @Ablate(layer = Sweep.ALL, head = Sweep.ALL, method = AblationMethod.MEAN)
    @Plot(title = "logit diff, head mean-ablated")
    @Run(input = "clean")
    @LogExperiment
    double ablateEachHead(Logits logits, int layer, int head) {
        return layer + head;
    }

    @Ablate(layer = 9, head = {6, 9})
    @Ablate(layer = 10, head = 0)
    @Run(name = "name-movers-off", input = "clean")
    double nameMoversOff(Logits logits, TokenBatch clean) {
        return 0;
    }

    @Patch(hook = "hook_resid_pre", layer = Sweep.ALL, position = {0, 1, 2}, sweep = Axis.POSITION)
    @Plot(kind = PlotKind.HEATMAP)
    float patchResid(Logits logits, ModelConfig config, int position) {
        return position;
    }

    @Ablate(layer = 0, hook = "mlp.hook_post", neuron = {1, 2, 3}, method = AblationMethod.RESAMPLE)
    @Run(input = "corrupted")
    void neurons(@Capture("blocks.0.mlp.hook_post") NDArray post, ActivationCache cache, List<String> labels) {
    }

    @Plot(kind = PlotKind.ATTENTION)
    @Run(input = "clean")
    AttentionPattern pattern(@Capture("blocks.9.attn.hook_pattern") AttentionPattern pattern,
            HookedTransformer model) {
        return pattern;
    }
}
