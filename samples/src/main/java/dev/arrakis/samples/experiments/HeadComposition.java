package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Composition;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.weights.CompositionScores;

/**
 * How strongly does each layer-0 head's output feed each layer-1 head's query, key and value (Elhage et al. 2021)? We
 * read the Q-, K- and V-composition scores of every pair of heads from the weights alone: for an earlier head's OV
 * circuit L and a later head's circuit R, ‖L·R‖ / (‖L‖·‖R‖). An induction circuit shows as a K-composition between a
 * previous-token head and the induction head that stands out from the other pairs; on random weights, every pair
 * scores about the same.
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class HeadComposition {

    /** Composition reads only weights; a run still feeds the model one input. */
    @Input
    TokenBatch anyTokens() {
        return TokenBatch.of(new long[] {0});
    }

    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "Q-composition: layer-0 head (row) into layer-1 head (column)")
    double[][] queryComposition(@Composition(CompositionKind.Q) CompositionScores scores) {
        return layerZeroIntoLayerOne(scores);
    }

    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "K-composition: layer-0 head (row) into layer-1 head (column)")
    double[][] keyComposition(@Composition(CompositionKind.K) CompositionScores scores) {
        return layerZeroIntoLayerOne(scores);
    }

    @Run
    @Plot(kind = PlotKind.HEATMAP, title = "V-composition: layer-0 head (row) into layer-1 head (column)")
    double[][] valueComposition(@Composition(CompositionKind.V) CompositionScores scores) {
        return layerZeroIntoLayerOne(scores);
    }

    static double[][] layerZeroIntoLayerOne(CompositionScores scores) {
        double[][] block = new double[scores.heads()][scores.heads()];
        for (int earlier = 0; earlier < scores.heads(); earlier++) {
            for (int later = 0; later < scores.heads(); later++) {
                block[earlier][later] = scores.score(0, earlier, 1, later);
            }
        }
        return block;
    }
}
