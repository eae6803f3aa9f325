package dev.arrakis.tools.lens;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.annotations.Breakdown;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.TlReference;
import dev.arrakis.tools.residual.ResidualStack;
import dev.arrakis.tools.residual.ResidualStream;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Direct logit attribution equals TransformerLens's {@code logit_attrs} (with and without incorrect tokens) on the
 * full decomposition, within 1e-4 in f32; its contributions add up to the model's own logits.
 */
class DirectLogitAttributionTest {
    static List<String> cases() {
        return TlReference.CASES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void attributionsEqualTransformerLens(String caseName) {
        try (TlReference reference = TlReference.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.run(TokenBatch.of(reference.rows("input_ids")),
                        RunOptions.none().withCacheFilter(name -> true));
                NDManager manager = NDManager.newBaseManager()) {
            ResidualStack full = ResidualStream.stack(model, pass.cache(), Breakdown.HEADS_AND_MLPS, manager);
            long[][] answers = reference.rows("answer_tokens");
            long[][] incorrect = reference.rows("incorrect_tokens");
            LogitAttribution attrs = DirectLogitAttribution.attribute(full, model, pass.cache(), answers, null);
            LogitAttribution diffs = DirectLogitAttribution.attribute(full, model, pass.cache(), answers, incorrect);
            reference.assertLabels("logit_attrs", attrs.labels());
            assertClose(caseName + " logit_attrs", reference.floats("logit_attrs"), flat(attrs), 1e-4);
            assertClose(caseName + " logit_diff_attrs", reference.floats("logit_diff_attrs"), flat(diffs), 1e-4);
        }
    }

    /**
     * Summed over a decomposition of the final residual, the contributions give the answer's logit less the final
     * norm's bias term {@code b_ln · W_U[:, answer]}; for a logit difference, less the difference of those terms.
     */
    @Test
    void contributionsAddUpToTheLogit() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.run(TokenBatch.of(reference.rows("input_ids")),
                        RunOptions.none().withCacheFilter(name -> true));
                NDManager manager = NDManager.newBaseManager()) {
            ResidualStack layers = ResidualStream.stack(model, pass.cache(), Breakdown.LAYERS, manager);
            long[] answers = {7, 300};
            long[] incorrect = {12, 45};
            LogitAttribution diffs = DirectLogitAttribution.attribute(layers, model, pass.cache(), answers, incorrect);
            float[] bias = model.weights().lnFinalBias().toFloatArray();
            NDArray unembedding = model.weights().unembedding();
            for (int b = 0; b < 2; b++) {
                double biasTerm = dot(bias, unembedding.get(":, {}", answers[b]).toFloatArray())
                        - dot(bias, unembedding.get(":, {}", incorrect[b]).toFloatArray());
                for (int p = 0; p < 8; p++) {
                    double logitDiff = pass.logits().getFloat(b, p, answers[b]) - pass.logits().getFloat(b, p,
                            incorrect[b]);
                    double summed = 0;
                    for (float contribution : diffs.byComponent(b, p)) {
                        summed += contribution;
                    }
                    assertEquals(logitDiff, summed + biasTerm, 1e-4, "logit difference at (" + b + ", " + p
                            + ") vs the contributions " + Arrays.toString(diffs.byComponent(b, p)) + " + bias term "
                            + biasTerm);
                }
            }
            assertEquals(1, NativeResources.attachedCount(manager), "arrays in the caller's manager: the stack only");
        }
    }

    @Test
    void badTokensNameWhatIsWrong() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.run(TokenBatch.of(reference.rows("input_ids")),
                        RunOptions.none().withCacheFilter(name -> true));
                NDManager manager = NDManager.newBaseManager()) {
            ResidualStack layers = ResidualStream.stack(model, pass.cache(), Breakdown.LAYERS, manager);
            LensException outside = assertThrows(LensException.class, () -> DirectLogitAttribution.attribute(layers,
                    model, pass.cache(), new long[] {7, 384}, null));
            assertEquals("answer 384 is outside the vocabulary (0..383)", outside.getMessage());
            LensException shape = assertThrows(LensException.class, () -> DirectLogitAttribution.attribute(layers,
                    model, pass.cache(), new long[][] {{1, 2, 3}}, null));
            assertEquals("answers must be 2 rows of 8 tokens, one per example and position of the stack; got 1 rows"
                    + " of [3]", shape.getMessage());
        }
    }

    private static float[] flat(LogitAttribution attribution) {
        float[][][] values = attribution.values();
        float[] flat = new float[values.length * values[0].length * values[0][0].length];
        int i = 0;
        for (float[][] component : values) {
            for (float[] row : component) {
                for (float value : row) {
                    flat[i++] = value;
                }
            }
        }
        return flat;
    }

    private static double dot(float[] a, float[] b) {
        double sum = 0;
        for (int i = 0; i < a.length; i++) {
            sum += (double) a[i] * b[i];
        }
        return sum;
    }
}
