package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample experiments, compiled by the annotation processor and run by the generated runners, give the same
 * numbers as the same experiments written by hand against the runtime API, one forward pass per point.
 */
class GeneratedMatchesHandWrittenTest {
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

    private static RunOutcome runGenerated(String experiment, String run) {
        return runs.run(experiment, run);
    }

    private static double metric(PromptPairs prompts, RunOptions options) {
        try (ForwardResult result = model.run(prompts.tokens(), options)) {
            return prompts.meanLogitDiff(new Logits(result.logits()));
        }
    }

    @Test
    void headAblationGridMatchesOneHookedRunPerHead() {
        PromptPairs prompts = new HeadAblation().prompts();
        double[][] generated = runGenerated("HeadAblation", "eachHead").grid();
        assertEquals(model.config().layers(), generated.length);
        for (int layer = 0; layer < model.config().layers(); layer++) {
            assertEquals(model.config().heads(), generated[layer].length);
            for (int head = 0; head < model.config().heads(); head++) {
                double byHand = metric(prompts, RunOptions.none()
                        .withHook("blocks." + layer + ".attn.hook_z", Interventions.zeroHeads(head)));
                assertEquals(byHand, generated[layer][head], TOLERANCE, "layer " + layer + " head " + head);
            }
        }
    }

    @Test
    void baselineAndHeadsTogetherMatch() {
        PromptPairs prompts = new HeadAblation().prompts();
        double baseline = metric(prompts, RunOptions.none());
        assertEquals(baseline, (double) runGenerated("HeadAblation", "baseline").value(), TOLERANCE);
        double together = metric(prompts, RunOptions.none()
                .withHook("blocks.1.attn.hook_z", Interventions.zeroHeads(0, 2)));
        assertEquals(together, (double) runGenerated("HeadAblation", "twoHeadsTogether").value(), TOLERANCE);
        assertNotEquals(baseline, together, 1e-4);
    }

    @Test
    void meanAblatedNeuronsMatchAMeanComputedByHand() {
        PromptPairs prompts = new HeadAblation().prompts();
        int[] neurons = {3, 17, 200};
        float[] cleanPost;
        long[] shape;
        try (ForwardResult clean = model.runWithCache(prompts.tokens(), "blocks.0.mlp.hook_post")) {
            NDArray post = clean.cache().get("blocks.0.mlp.hook_post");
            cleanPost = post.toFloatArray();
            shape = post.getShape().getShape();
        }
        int batch = (int) shape[0];
        int positions = (int) shape[1];
        int width = (int) shape[2];
        float[] replaced = new float[cleanPost.length];
        System.arraycopy(cleanPost, 0, replaced, 0, cleanPost.length);
        for (int position = 0; position < positions; position++) {
            for (int neuron : neurons) {
                double sum = 0;
                for (int row = 0; row < batch; row++) {
                    sum += cleanPost[(row * positions + position) * width + neuron];
                }
                for (int row = 0; row < batch; row++) {
                    replaced[(row * positions + position) * width + neuron] = (float) (sum / batch);
                }
            }
        }
        Hook substitute = (activation, context) ->
                context.scope().create(replaced, activation.getShape());
        double byHand = metric(prompts, RunOptions.none().withHook("blocks.0.mlp.hook_post", substitute));
        assertEquals(byHand, (double) runGenerated("HeadAblation", "meanAblatedNeurons").value(), TOLERANCE);
    }

    @Test
    void residualPatchingGridMatchesOnePatchedRunPerLayerAndPosition() {
        ResidualPatching experiment = new ResidualPatching();
        PromptPairs clean = experiment.clean();
        PromptPairs corrupted = experiment.corrupted();
        RunOutcome generated = runGenerated("ResidualPatching", "residPre");
        double[][] grid = generated.grid();
        int positions = clean.prompts().get(0).length;
        assertEquals(model.config().layers(), grid.length);
        assertEquals(positions, grid[0].length);
        for (int layer = 0; layer < model.config().layers(); layer++) {
            String hook = "blocks." + layer + ".hook_resid_pre";
            float[] cleanResid;
            try (ForwardResult cleanRun = model.runWithCache(clean.tokens(), hook)) {
                cleanResid = cleanRun.cache().get(hook).toFloatArray();
            }
            for (int position = 0; position < positions; position++) {
                int patched = position;
                Hook patch = (activation, context) -> {
                    NDArray cleanArray = context.scope().create(cleanResid, activation.getShape());
                    NDArray result = activation.duplicate();
                    NDIndex at = new NDIndex(":, {}, :", patched);
                    result.set(at, cleanArray.get(at));
                    return result;
                };
                double byHand = metric(clean.withTokensOf(corrupted), RunOptions.none().withHook(hook, patch));
                assertEquals(byHand, grid[layer][position], TOLERANCE, "layer " + layer + " position " + position);
            }
        }
    }

    @Test
    void capturedPatternIsThePatternOfAPlainCachedRun() {
        TokenBatch clean = new ResidualPatching().clean().tokens();
        float[] expected;
        try (ForwardResult run = model.runWithCache(clean, "blocks.0.attn.hook_pattern")) {
            expected = run.cache().get("blocks.0.attn.hook_pattern").toFloatArray();
        }
        ArrayValue captured = (ArrayValue) runGenerated("ResidualPatching", "firstLayerPattern").value();
        assertArrayEquals(new long[] {clean.batchSize(), model.config().heads(), clean.sequenceLength(),
                clean.sequenceLength()}, captured.shape());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], captured.values()[i], TOLERANCE);
        }
    }
}
