package dev.arrakis.tools.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.spec.Rotary;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Greedy generation equals HF transformers' {@code generate} on every family's committed checkpoint (written by
 * {@code tools/reference/hf_generate.py}): the same ids, and the logits each step chose from within 1e-4; and the
 * key/value-cached run equals the run that recomputes every step to 1e-5 in the logits of every step.
 */
class HfGenerateReferenceTest {
    private static final int NEW_TOKENS = 6;

    static List<String> cases() {
        return ReferenceCase.ALL_CASES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void greedyOnePromptIsTokenIdenticalToHf(String caseName) {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory());
                SafetensorsFile reference = open(caseName)) {
            long[] prompt = reference.readLongs("prompt");
            List<float[][]> logits = new ArrayList<>();
            Generation generation = Generator.generate(model, List.of(prompt), GenerationSettings.greedy(NEW_TOKENS),
                    RunOptions.none(), step -> logits.add(step.logits()));
            long[] expected = reference.readLongs("greedy");
            assertArrayEquals(expected, generation.newTokens(0), caseName + ": HF " + Arrays.toString(expected)
                    + " vs ours " + Arrays.toString(generation.newTokens(0)));
            assertStepLogits(caseName, reference.readFloats("greedy_logits"), logits, 1e-4);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void greedyLeftPaddedBatchIsTokenIdenticalToHf(String caseName) {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory());
                SafetensorsFile reference = open(caseName)) {
            List<long[]> prompts = unpadded(reference);
            List<float[][]> logits = new ArrayList<>();
            Generation generation = Generator.generate(model, prompts, GenerationSettings.greedy(NEW_TOKENS),
                    RunOptions.none(), step -> logits.add(step.logits()));
            long[][] expected = ReferenceCase.rows(reference, "batch_greedy");
            for (int row = 0; row < expected.length; row++) {
                assertArrayEquals(expected[row], generation.newTokens(row), caseName + " row " + row + ": HF "
                        + Arrays.toString(expected[row]) + " vs ours " + Arrays.toString(generation.newTokens(row)));
            }
            assertStepLogits(caseName + " padded", reference.readFloats("batch_logits"), logits, 1e-4);
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void keyValueCacheEqualsRecomputingEveryStep(String caseName) {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory());
                SafetensorsFile reference = open(caseName)) {
            List<long[]> prompts = unpadded(reference);
            List<float[][]> cached = new ArrayList<>();
            List<float[][]> recomputed = new ArrayList<>();
            GenerationSettings settings = GenerationSettings.greedy(NEW_TOKENS);
            Generation withCache = Generator.generate(model, prompts, settings, RunOptions.none(),
                    step -> cached.add(step.logits()));
            Generation withoutCache = Generator.generate(model, prompts, settings.withoutKeyValueCache(),
                    RunOptions.none(), step -> recomputed.add(step.logits()));
            for (int row = 0; row < prompts.size(); row++) {
                assertArrayEquals(withoutCache.newTokens(row), withCache.newTokens(row), caseName + " row " + row);
            }
            assertEquals(NEW_TOKENS, cached.size(), caseName + ": steps with a cache");
            int steps = stepsWithUnchangedFrequencies(model, prompts);
            assertStepLogits(caseName + " cache vs no cache, first " + steps + " steps",
                    flatten(recomputed.subList(0, steps)), cached.subList(0, steps), 1e-5);
        }
    }

    /**
     * Dynamic NTK scaling recomputes the rotary frequencies once the sequence outgrows the original context, while
     * the keys already cached keep the rotation they were given (HF's cached generate does the same, and the ids above
     * equal HF's): from that step on, a cached run is not a recomputed one. Step s runs a sequence of
     * {@code longestPrompt + s} positions.
     */
    private static int stepsWithUnchangedFrequencies(HookedTransformer model, List<long[]> prompts) {
        var rotary = model.description().numerics().rotary();
        if (rotary == null || !(rotary.scaling() instanceof Rotary.DynamicNtk dynamic)) {
            return NEW_TOKENS;
        }
        int longestPrompt = prompts.stream().mapToInt(p -> p.length).max().orElseThrow();
        return Math.min(NEW_TOKENS, dynamic.originalContext() - longestPrompt + 1);
    }

    /** Row 0 of the batch has no padding; row 1 is its tokens after the mask's zeros. */
    static List<long[]> unpadded(SafetensorsFile reference) {
        long[][] padded = ReferenceCase.rows(reference, "batch_prompts");
        long[][] mask = ReferenceCase.rows(reference, "batch_mask");
        List<long[]> prompts = new ArrayList<>();
        for (int row = 0; row < padded.length; row++) {
            int start = 0;
            while (mask[row][start] == 0) {
                start++;
            }
            prompts.add(Arrays.copyOfRange(padded[row], start, padded[row].length));
        }
        return prompts;
    }

    private static void assertStepLogits(String what, float[] expected, List<float[][]> actual, double tolerance) {
        float[] flat = flatten(actual);
        assertEquals(expected.length, flat.length, what + ": logit count, expected " + expected.length + " got "
                + flat.length);
        double worst = 0;
        int worstAt = -1;
        for (int i = 0; i < flat.length; i++) {
            double difference = Math.abs(expected[i] - flat[i]);
            if (difference > worst) {
                worst = difference;
                worstAt = i;
            }
        }
        double finalWorst = worst;
        int at = worstAt;
        assertTrue(worst <= tolerance, () -> what + ": max |logit difference| " + finalWorst + " > " + tolerance
                + " at flat index " + at + " (expected " + expected[at] + ", got " + flat[at] + ")");
    }

    private static float[] flatten(List<float[][]> steps) {
        int total = steps.stream().mapToInt(step -> step.length * step[0].length).sum();
        float[] flat = new float[total];
        int at = 0;
        for (float[][] step : steps) {
            for (float[] row : step) {
                System.arraycopy(row, 0, flat, at, row.length);
                at += row.length;
            }
        }
        return flat;
    }

    static SafetensorsFile open(String caseName) {
        return SafetensorsFile.open(Path.of("src/test/resources/reference/tools/generation", caseName + ".safetensors"));
    }

}
