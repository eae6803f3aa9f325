package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.annotations.Run;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.features.Feature;
import dev.arrakis.tools.features.TopActivatingExamples;
import dev.arrakis.tools.neurons.ActivationCovariance;
import dev.arrakis.tools.neurons.NeuronActivity;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * How often does each first-layer MLP neuron fire, and how many directions does the residual stream after the first
 * block really use? Over a dataset of random token sequences, streamed a batch at a time so that memory does not grow
 * with the data, we measure each neuron's firing frequency (the share of tokens where {@code mlp.hook_post} exceeds
 * 0.1) and the principal components of {@code blocks.0.hook_resid_post}: the share of variance the first k components
 * explain, for every k. Last, we keep the five tokens on which one neuron fires most, each with its context, as
 * feature visualisation shows them ({@code ExamplesPage} draws them as a page).
 */
@Experiment(config = "models/gpt2-tiny/config.json")
public class NeuronsAndDirections {
    static final int BATCHES = 8;
    static final int ROWS = 4;
    static final int LENGTH = 24;

    /** The dataset: {@value #BATCHES} batches of {@value #ROWS} random sequences of {@value #LENGTH} tokens. */
    static List<TokenBatch> dataset() {
        Random random = new Random(13);
        List<TokenBatch> batches = new ArrayList<>();
        for (int batch = 0; batch < BATCHES; batch++) {
            long[][] rows = new long[ROWS][LENGTH];
            for (long[] row : rows) {
                for (int position = 0; position < LENGTH; position++) {
                    row[position] = random.nextInt(HeadAblation.VOCAB);
                }
            }
            batches.add(TokenBatch.of(rows));
        }
        return batches;
    }

    /** A run feeds the model one input; the dataset itself is streamed by the run methods. */
    @Input
    TokenBatch firstBatch() {
        return dataset().get(0);
    }

    @Run
    @Plot(kind = PlotKind.BAR, title = "firing frequency of each blocks.0 MLP neuron (post > 0.1)")
    double[] neuronFrequency(HookedTransformer model) {
        return NeuronActivity.over(model, "blocks.0.mlp.hook_post", dataset(), 0.1).frequency();
    }

    @Run
    @Plot(title = "variance of blocks.0.hook_resid_post explained by the first k principal components")
    double[] explainedVariance(HookedTransformer model) {
        double[] ratio = ActivationCovariance.over(model, "blocks.0.hook_resid_post", dataset())
                .principalComponents().explainedVarianceRatio();
        double[] cumulative = new double[ratio.length];
        for (int k = 0; k < ratio.length; k++) {
            cumulative[k] = (k == 0 ? 0 : cumulative[k - 1]) + ratio[k];
        }
        return cumulative;
    }

    /** The five strongest activations of neuron 3 of {@code blocks.0.mlp.hook_post}, with two tokens either side. */
    @Run
    List<TopActivatingExamples.Example> topExamplesOfNeuron3(HookedTransformer model) {
        return TopActivatingExamples.over(model, Feature.neuron("blocks.0.mlp.hook_post", 3), dataset(), 5, 2, 2)
                .examples();
    }
}
