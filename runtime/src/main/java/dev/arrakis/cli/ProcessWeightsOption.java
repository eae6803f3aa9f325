package dev.arrakis.cli;

import dev.arrakis.model.WeightProcessing;
import picocli.CommandLine.Option;

/** The {@code --process-weights} option of every command that loads a model. */
final class ProcessWeightsOption {
    @Option(names = "--process-weights",
            description = "Load the weights processed as TransformerLens's from_pretrained does (fold LayerNorm,"
                    + " centre writing weights, centre unembed, fold value biases; the steps the model admits):"
                    + " log-probs stay, raw logits lose their mean over the vocabulary and norm outputs their gain and"
                    + " bias. See docs/tools/weight-processing.md.")
    boolean processWeights;

    WeightProcessing processing() {
        return processWeights ? WeightProcessing.transformerLensDefaults() : WeightProcessing.none();
    }
}
