package dev.arrakis.tools.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.ReferenceCase;
import dev.arrakis.annotations.ErrorMeasure;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every head's detector score equals TransformerLens's {@code detect_head} on the same weights and tokens, for each
 * detection pattern, error measure and exclusion (references by {@code tools/reference/tl_attention.py}).
 */
class HeadDetectorReferenceTest {
    /** "mul" is a ratio of f32 pattern sums. */
    private static final double MUL_TOLERANCE = 1e-4;
    /** TransformerLens rounds "abs" to 3 decimals; ours is not rounded. */
    private static final double ABS_TOLERANCE = 5e-4 + 1e-4;
    private static final List<DetectionPattern> PATTERNS = List.of(DetectionPattern.PREVIOUS_TOKEN,
            DetectionPattern.DUPLICATE_TOKEN, DetectionPattern.INDUCTION);

    @ParameterizedTest
    @ValueSource(strings = {"gpt2-tiny", "llama-gqa"})
    void scoresEqualTransformerLens(String caseName) {
        Path checkpoint = caseName.equals("gpt2-tiny") ? Path.of("../models/gpt2-tiny")
                : ReferenceCase.of(caseName).directory();
        Path referenceFile = Path.of("src/test/resources/reference/tools/attention", caseName + ".safetensors");
        try (HookedTransformer model = HookedTransformer.load(checkpoint);
                SafetensorsFile reference = SafetensorsFile.open(referenceFile)) {
            TokenBatch batch = TokenBatch.of(ReferenceCase.rows(reference, "tokens"));
            try (ForwardResult run = model.runWithCache(batch,
                    HeadDetector.requiredHooks(model.hookPoints()).toArray(String[]::new))) {
                int compared = 0;
                for (DetectionPattern pattern : PATTERNS) {
                    for (ErrorMeasure measure : ErrorMeasure.values()) {
                        for (boolean bos : new boolean[] {false, true}) {
                            for (boolean current : new boolean[] {false, true}) {
                                HeadDetector.Options options = new HeadDetector.Options(measure, bos, current);
                                String key = pattern.name() + "/" + measure.name().toLowerCase() + "/bos"
                                        + (bos ? 1 : 0) + "/current" + (current ? 1 : 0);
                                float[] expected = reference.readFloats(key);
                                HeadScores scores = HeadDetector.detect(run.cache(), model.hookPoints(), batch,
                                        pattern, options);
                                double tolerance = measure == ErrorMeasure.MUL ? MUL_TOLERANCE : ABS_TOLERANCE;
                                for (int layer = 0; layer < scores.layers(); layer++) {
                                    for (int head = 0; head < scores.heads(); head++) {
                                        double want = expected[layer * scores.heads() + head];
                                        double got = scores.get(layer, head);
                                        assertEquals(want, got, tolerance, caseName + " " + key + " L" + layer + "H"
                                                + head + ": TransformerLens " + want + ", ours " + got);
                                        compared++;
                                    }
                                }
                            }
                        }
                    }
                }
                assertEquals(3 * 2 * 2 * 2 * 2 * 4, compared, "scores compared");
            }
        }
    }
}
