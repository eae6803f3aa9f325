package dev.arrakis.model;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.io.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Weight processing against TransformerLens's processed model ({@code tools/reference/tl_weights.py}): every hook
 * value and the logits on the same tokens, the rewritten biases, and for every committed family the invariant that
 * matters, log-probs unchanged against HF.
 */
class WeightProcessingTest {
    static final double TOLERANCE = 1e-4;
    static final List<String> CASES = ReferenceCase.ALL_CASES;

    /** {@code gpt2-prefixed} holds the same checkpoint as {@code models/gpt2-tiny}. */
    @ParameterizedTest
    @CsvSource({"gpt2-tiny, gpt2-prefixed", "llama-gqa, llama-gqa"})
    void hookValuesEqualTransformerLensProcessedModel(String referenceName, String caseName) {
        try (SafetensorsFile expected = SafetensorsFile.open(toolReference(referenceName + "-processed"));
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory(),
                        Device.cpu(), Precision.F32, WeightProcessing.transformerLensDefaults())) {
            List<String> hooks = new ArrayList<>();
            for (String name : expected.names()) {
                if (name.contains("hook_")) {
                    hooks.add(name);
                }
            }
            assertTrue(hooks.size() >= 12 * model.config().layers(), "reference hooks: " + hooks);
            TokenBatch batch = TokenBatch.of(ReferenceCase.rows(expected, "input_ids"));
            try (ForwardResult result = model.runWithCache(batch, hooks.toArray(String[]::new))) {
                double worst = assertClose(referenceName + " logits", expected.info("logits").shape(),
                        expected.readFloats("logits"), result.logits(), TOLERANCE);
                for (String hook : hooks) {
                    worst = Math.max(worst, assertClose(referenceName + " " + hook, expected.info(hook).shape(),
                            expected.readFloats(hook), result.cache().get(hook), TOLERANCE));
                }
                System.out.printf("%s processed: worst |diff| vs TransformerLens over logits and %d hooks %.2e%n",
                        referenceName, hooks.size(), worst);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"gpt2-tiny, gpt2-prefixed", "llama-gqa, llama-gqa"})
    void rewrittenBiasesEqualTransformerLens(String referenceName, String caseName) {
        try (SafetensorsFile expected = SafetensorsFile.open(toolReference(referenceName + "-processed"));
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory(),
                        Device.cpu(), Precision.F32, WeightProcessing.transformerLensDefaults())) {
            TransformerWeights weights = model.weights();
            assertClose(referenceName + " unembed.W_U", expected.info("unembed.W_U").shape(),
                    expected.readFloats("unembed.W_U"), weights.unembedding(), TOLERANCE);
            float[] expectedUnembedBias = expected.readFloats("unembed.b_U");
            if (weights.unembeddingBias() == null) {
                // RMSNorm has no final bias to fold: TransformerLens's b_U stays all zeros.
                assertClose(referenceName + " unembed.b_U", expectedUnembedBias,
                        new float[expectedUnembedBias.length], TOLERANCE);
            } else {
                assertClose(referenceName + " unembed.b_U", expectedUnembedBias,
                        weights.unembeddingBias().toFloatArray(), TOLERANCE);
            }
            for (int layer = 0; layer < model.config().layers(); layer++) {
                for (String bias : List.of("attn.b_O", "mlp.b_in")) {
                    String name = "blocks." + layer + "." + bias;
                    assertClose(referenceName + " " + name, expected.readFloats(name),
                            weights.get(name).toFloatArray(), TOLERANCE);
                }
            }
        }
    }

    /** Every family, every switch: processing must not move a single log-prob, here against HF's own logits. */
    @ParameterizedTest
    @FieldSource("CASES")
    void logProbsStayAsHfComputesThem(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        try (SafetensorsFile expected = reference.reference();
                HookedTransformer model = HookedTransformer.load(reference.directory(), Device.cpu(),
                        Precision.F32, WeightProcessing.transformerLensDefaults());
                ForwardResult result = model.forward(TokenBatch.of(ReferenceCase.rows(expected, "input_ids")));
                NDArray hfLogits = result.logits().getManager().create(expected.readFloats("logits"),
                        result.logits().getShape())) {
            double worst = assertClose(caseName + " log-probs after processing", hfLogits.logSoftmax(-1)
                    .toFloatArray(), result.logits().logSoftmax(-1).toFloatArray(), TOLERANCE);
            System.out.printf("%s: processed log-probs vs HF %.2e (%s)%n", caseName, worst,
                    model.weightProcessing());
        }
    }

    /**
     * Folding and centring the writers leave the final normalised residual as it was, so the only change to the
     * logits is centring the unembedding: each position's logits lose their mean over the vocabulary.
     */
    @ParameterizedTest
    @CsvSource({"gpt2-tiny, gpt2-prefixed", "llama-gqa, llama-gqa"})
    void rawLogitsLoseTheirVocabularyMean(String referenceName, String caseName) {
        try (SafetensorsFile expected = SafetensorsFile.open(toolReference(referenceName + "-processed"));
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory(),
                        Device.cpu(), Precision.F32, WeightProcessing.transformerLensDefaults());
                ForwardResult result = model.forward(TokenBatch.of(ReferenceCase.rows(expected, "input_ids")))) {
            float[] raw = expected.readFloats("unprocessed_logits");
            float[] processed = result.logits().toFloatArray();
            int vocab = model.config().vocabSize();
            float[] centred = new float[raw.length];
            double largestShift = 0;
            for (int row = 0; row < raw.length / vocab; row++) {
                double mean = 0;
                for (int v = 0; v < vocab; v++) {
                    mean += raw[row * vocab + v];
                }
                mean /= vocab;
                largestShift = Math.max(largestShift, Math.abs(mean));
                for (int v = 0; v < vocab; v++) {
                    centred[row * vocab + v] = (float) (raw[row * vocab + v] - mean);
                }
            }
            assertTrue(largestShift > 1e-2, referenceName + ": raw logits' vocabulary mean is only " + largestShift
                    + ", too small to show the change");
            assertClose(referenceName + " processed logits vs raw minus its vocabulary mean", centred, processed,
                    TOLERANCE);
        }
    }

    @Test
    void stepsAModelDoesNotAdmitAreLeftOutAsTransformerLensDoes() {
        WeightProcessing all = WeightProcessing.transformerLensDefaults();
        try (HookedTransformer gpt2 = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory(),
                Device.cpu(), Precision.F32, all)) {
            assertEquals(all, gpt2.weightProcessing(), "LayerNorm, no soft-cap: every step");
        }
        try (HookedTransformer llama = HookedTransformer.load(ReferenceCase.of("llama-gqa").directory(),
                Device.cpu(), Precision.F32, all)) {
            assertEquals(new WeightProcessing(true, false, true, true), llama.weightProcessing(),
                    "RMSNorm: writing weights are not centred");
        }
        try (HookedTransformer gemma2 = HookedTransformer.load(ReferenceCase.of("gemma2").directory(),
                Device.cpu(), Precision.F32, all)) {
            assertEquals(new WeightProcessing(true, false, false, true), gemma2.weightProcessing(),
                    "RMSNorm and a final logit soft-cap: neither centring");
        }
        try (HookedTransformer plain = HookedTransformer.load(ReferenceCase.of("gpt2-prefixed").directory())) {
            assertEquals(WeightProcessing.none(), plain.weightProcessing(), "processing is opt-in");
        }
    }

    /**
     * The rewritten weights replace the originals rather than sitting beside them: the model's manager holds as many
     * arrays as without processing, plus the one new unembedding bias GPT-2's folded final LayerNorm needs.
     */
    @ParameterizedTest
    @CsvSource({"gpt2-prefixed, 1", "llama-gqa, 0"})
    void processingKeepsOneCopyOfTheWeights(String caseName, int addedBiases) {
        Path directory = ReferenceCase.of(caseName).directory();
        int unprocessed;
        try (HookedTransformer model = HookedTransformer.load(directory)) {
            unprocessed = NativeResources.attachedCount(model.manager());
        }
        try (HookedTransformer model = HookedTransformer.load(directory, Device.cpu(), Precision.F32,
                WeightProcessing.transformerLensDefaults())) {
            assertEquals(unprocessed + addedBiases, NativeResources.attachedCount(model.manager()),
                    caseName + ": arrays in the model's manager, processed vs " + unprocessed + " unprocessed");
        }
    }

    /** Processing runs in f32 and hands the weights back in the model's precision, added biases included. */
    @ParameterizedTest
    @CsvSource({"gpt2-prefixed", "llama-gqa"})
    void halfPrecisionModelsAreProcessedInF32AndStayHalf(String caseName) {
        ReferenceCase reference = ReferenceCase.of(caseName);
        try (SafetensorsFile expected = reference.reference();
                HookedTransformer model = HookedTransformer.load(reference.directory(), Device.cpu(), Precision.F16,
                        WeightProcessing.transformerLensDefaults());
                ForwardResult result = model.forward(TokenBatch.of(ReferenceCase.rows(expected, "input_ids")));
                NDArray hfLogits = result.logits().getManager().create(expected.readFloats("logits"),
                        result.logits().getShape())) {
            for (var weight : model.weights().all().entrySet()) {
                assertEquals(DataType.FLOAT16, weight.getValue().getDataType(), caseName + " " + weight.getKey());
            }
            double worst = assertClose(caseName + " f16 processed log-probs", hfLogits.logSoftmax(-1).toFloatArray(),
                    result.logits().logSoftmax(-1).toFloatArray(), ReducedPrecisionTest.F16_LOGIT_BOUND);
            System.out.printf("%s: f16 processed log-probs vs HF %.2e%n", caseName, worst);
        }
    }

    static Path toolReference(String name) {
        return Path.of("src/test/resources/reference/tools/weights", name + ".safetensors").toAbsolutePath();
    }
}
