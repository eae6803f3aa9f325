package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.tools.features.TopActivatingExamples;
import dev.arrakis.tools.weights.CompositionScores;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The samples that ask for analysis tools by annotation, run by their generated runners, against values computed
 * without the tools: the lens at the end is the model's own softmax, the attributions add up to the logit difference
 * less the final norm's bias term, and the composition block is the tool's own scores of the same pairs.
 */
class ToolSamplesTest {
    private static final double TOLERANCE = 1e-5;

    private static GeneratedRuns runs;
    private static HookedTransformer model;

    @BeforeAll
    static void load() {
        runs = new GeneratedRuns();
        model = runs.model();
    }

    @AfterAll
    static void close() {
        runs.close();
    }

    private static double[] runGenerated(String experiment, String run) {
        RunOutcome outcome = runs.run(experiment, run);
        assertEquals(1, outcome.points(), experiment + "." + run + " points");
        return ((ArrayValue) outcome.values().get(0)).values();
    }

    @Test
    void theLensAtTheEndIsTheModelsOwnProbabilityAndRisesOverLayers() {
        PromptPairs prompts = new LogitLensAndAttribution().prompts();
        double[] byLayer = runGenerated("LogitLensAndAttribution", "lensByLayer");
        assertEquals(model.config().layers() + 1, byLayer.length, "0_pre, 1_pre, final_post");
        int last = prompts.prompts().get(0).length - 1;
        double expected = 0;
        try (ForwardResult pass = model.run(prompts.tokens(), RunOptions.none())) {
            for (int prompt = 0; prompt < prompts.prompts().size(); prompt++) {
                NDArray row = pass.logits().get(prompt, last);
                expected += row.softmax(0).getFloat(prompts.correct()[prompt]) / prompts.prompts().size();
            }
        }
        assertEquals(expected, byLayer[byLayer.length - 1], TOLERANCE,
                "final_post through the recomputed final norm is the model's own softmax");
    }

    @Test
    void theLastLayersTopTokenIsTheModelsOwnPredictionAsText() {
        PromptPairs prompts = new LogitLensAndAttribution().prompts();
        List<?> tokens = (List<?>) runs.run("LogitLensAndAttribution", "topTokenByLayer").values().get(0);
        assertEquals(model.config().layers() + 1, tokens.size(), "one token per layer: " + tokens);
        int last = prompts.prompts().get(0).length - 1;
        try (ForwardResult pass = model.run(prompts.tokens(), RunOptions.none())) {
            long predicted = pass.logits().get(0, last).argMax().getLong();
            String text = model.tokenizer().orElseThrow().decode(new long[] {predicted});
            assertEquals(text, tokens.get(tokens.size() - 1), "final_post's top token, id " + predicted);
        }
    }

    @Test
    void attributionsAddUpToTheLogitDifferenceLessTheFinalNormBias() {
        PromptPairs prompts = new LogitLensAndAttribution().prompts();
        double[] byComponent = runGenerated("LogitLensAndAttribution", "attribution");
        assertEquals(2 + 2 * model.config().layers(), byComponent.length, "embed, pos_embed, attn and mlp per layer");
        double summed = 0;
        for (double value : byComponent) {
            summed += value;
        }
        double logitDiff;
        try (ForwardResult pass = model.run(prompts.tokens(), RunOptions.none())) {
            logitDiff = prompts.meanLogitDiff(new Logits(pass.logits()));
        }
        float[] bias = model.weights().lnFinalBias().toFloatArray();
        NDArray unembedding = model.weights().unembedding();
        double biasTerm = 0;
        for (int prompt = 0; prompt < prompts.prompts().size(); prompt++) {
            float[] correct = unembedding.get(":, " + prompts.correct()[prompt]).toFloatArray();
            float[] distractor = unembedding.get(":, " + prompts.distractor()[prompt]).toFloatArray();
            for (int d = 0; d < bias.length; d++) {
                biasTerm += bias[d] * (correct[d] - distractor[d]) / prompts.prompts().size();
            }
        }
        assertEquals(logitDiff - biasTerm, summed, 1e-4,
                "sum of attributions " + summed + " vs logit difference " + logitDiff + " less bias term " + biasTerm);
    }

    /** MUL on a pattern whose rows sum to one: the mean over queries of the attention to the previous token. */
    @Test
    void previousTokenScoresAreTheMeanAttentionToThePreviousToken() {
        PromptPairs prompts = new AttentionHeads().prompts();
        double[] generated = runGenerated("AttentionHeads", "previousToken");
        int layers = model.config().layers();
        int heads = model.config().heads();
        assertEquals(layers * heads, generated.length, "[layer, head]");
        int length = prompts.prompts().get(0).length;
        for (int layer = 0; layer < layers; layer++) {
            String hook = "blocks." + layer + ".attn.hook_pattern";
            try (ForwardResult pass = model.runWithCache(prompts.tokens(), hook)) {
                float[] pattern = pass.cache().get(hook).toFloatArray();
                for (int head = 0; head < heads; head++) {
                    double byHand = 0;
                    for (int prompt = 0; prompt < prompts.prompts().size(); prompt++) {
                        double attention = 0;
                        for (int query = 1; query < length; query++) {
                            attention += pattern[((prompt * heads + head) * length + query) * length + query - 1];
                        }
                        byHand += attention / length / prompts.prompts().size();
                    }
                    assertEquals(byHand, generated[layer * heads + head], TOLERANCE,
                            "previous-token score of L" + layer + "H" + head);
                }
            }
        }
    }

    @Test
    void neuronFrequencyIsTheShareOfTokensAboveTheThreshold() {
        double[] generated = runGenerated("NeuronsAndDirections", "neuronFrequency");
        String hook = "blocks.0.mlp.hook_post";
        int width = model.config().dMlp();
        long[] above = new long[width];
        long tokens = 0;
        for (var batch : NeuronsAndDirections.dataset()) {
            try (ForwardResult pass = model.runWithCache(batch, hook)) {
                float[] post = pass.cache().get(hook).toFloatArray();
                tokens += post.length / width;
                for (int i = 0; i < post.length; i++) {
                    if (post[i] > 0.1f) {
                        above[i % width]++;
                    }
                }
            }
        }
        assertEquals(width, generated.length, "one frequency per neuron");
        for (int neuron = 0; neuron < width; neuron++) {
            assertEquals((double) above[neuron] / tokens, generated[neuron], 1e-12, "neuron " + neuron);
        }
        double[] cumulative = runGenerated("NeuronsAndDirections", "explainedVariance");
        assertEquals(model.config().dModel(), cumulative.length, "one share per component count");
        assertEquals(1.0, cumulative[cumulative.length - 1], 1e-9, "all components explain all the variance");
        for (int k = 1; k < cumulative.length; k++) {
            double gain = cumulative[k] - cumulative[k - 1];
            double previousGain = k == 1 ? cumulative[0] : cumulative[k - 1] - cumulative[k - 2];
            assertEquals(true, gain <= previousGain + 1e-12 && gain >= -1e-12,
                    "component " + k + " explains " + gain + ", at most the " + previousGain + " before it");
        }
    }

    /** The kept examples are the five largest values of neuron 3 over the dataset, strongest first. */
    @Test
    void topExamplesAreTheNeuronsLargestActivations() {
        List<Float> all = new ArrayList<>();
        String hook = "blocks.0.mlp.hook_post";
        int width = model.config().dMlp();
        for (var batch : NeuronsAndDirections.dataset()) {
            try (ForwardResult pass = model.runWithCache(batch, hook)) {
                float[] post = pass.cache().get(hook).toFloatArray();
                for (int token = 0; token < post.length / width; token++) {
                    all.add(post[token * width + 3]);
                }
            }
        }
        all.sort(Comparator.reverseOrder());
        List<?> examples = (List<?>) runs.run("NeuronsAndDirections", "topExamplesOfNeuron3").values().get(0);
        assertEquals(5, examples.size(), "examples kept");
        for (int rank = 0; rank < 5; rank++) {
            float activation = ((TopActivatingExamples.Example) examples.get(rank)).activation();
            assertEquals(all.get(rank), activation, 1e-6f, "example " + rank + " of the sorted " + all.subList(0, 5));
        }
    }

    /**
     * Every head, MLP, embedding and bias writes into the stream, so their writes along a direction add up to the
     * final stream's own projection on it, computed here from the cached stream.
     */
    @Test
    void writesToTheAnswerAddUpToTheFinalStreamsProjection() {
        PromptPairs prompts = new InformationFlow().prompts();
        double[] writes = runGenerated("InformationFlow", "writesToTheAnswer");
        float[] direction = InformationFlow.answerDirection(model, prompts);
        double length = 0;
        for (float value : direction) {
            length += value * value;
        }
        length = Math.sqrt(length);
        String hook = "blocks." + (model.config().layers() - 1) + ".hook_resid_post";
        double projection = 0;
        try (ForwardResult pass = model.runWithCache(prompts.tokens(), hook)) {
            float[] stream = pass.cache().get(hook).toFloatArray();
            int vectors = stream.length / direction.length;
            for (int i = 0; i < stream.length; i++) {
                projection += stream[i] * direction[i % direction.length] / length / vectors;
            }
        }
        double summed = 0;
        for (double write : writes) {
            summed += write;
        }
        assertEquals(model.config().layers() * (model.config().heads() + 1) + 3, writes.length,
                "heads, MLPs, embed, pos_embed and bias");
        assertEquals(projection, summed, 1e-4, "sum of writes vs the final stream's projection");
    }

    @Test
    void compositionBlocksAreTheToolsScoresOfLayerZeroIntoLayerOne() {
        for (CompositionKind kind : CompositionKind.values()) {
            String run = switch (kind) {
                case Q -> "queryComposition";
                case K -> "keyComposition";
                case V -> "valueComposition";
            };
            double[] block = runGenerated("HeadComposition", run);
            CompositionScores scores = CompositionScores.of(model, kind);
            int heads = model.config().heads();
            assertEquals(heads * heads, block.length, kind + " block size");
            for (int earlier = 0; earlier < heads; earlier++) {
                for (int later = 0; later < heads; later++) {
                    assertEquals(scores.score(0, earlier, 1, later), block[earlier * heads + later], TOLERANCE,
                            kind + " L0H" + earlier + " -> L1H" + later);
                }
            }
        }
    }
}
