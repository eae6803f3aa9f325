package dev.arrakis.tools.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.HookedTransformer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each attention hook sees, at every pass of a cached generation, the shape TransformerLens 3.2.1's own cached
 * {@code generate} hands it on the same weights ({@code tools/reference/tl_generate_hooks.py}, rotary GQA checkpoint
 * {@code llama-gqa}: 4 query heads, 2 key/value heads of 16): keys cached before rotation, so at a cached step
 * {@code hook_k} and {@code hook_v} see the new position and {@code hook_rot_k} every position so far; and what
 * {@code hook_rot_k} sees equals TransformerLens's values.
 */
class TransformerLensCachedHooksTest {
    private static final Path REFERENCE =
            Path.of("src/test/resources/reference/tools/generation/tl-hooks/llama-gqa.safetensors");
    private static final List<String> HOOKS = List.of("hook_q", "hook_k", "hook_v", "hook_rot_q", "hook_rot_k",
            "hook_attn_scores", "hook_pattern", "hook_z");
    private static final int NEW_TOKENS = 4;
    private static final int VALUES_AT_PASS = 2;

    @Test
    void everyAttentionHookSeesTransformerLensShapesAndRotatedKeys() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("llama-gqa").directory());
                SafetensorsFile reference = SafetensorsFile.open(REFERENCE)) {
            Map<String, List<long[]>> seen = new LinkedHashMap<>();
            Map<String, float[]> rotatedKeys = new LinkedHashMap<>();
            RunOptions options = RunOptions.none();
            for (int layer = 0; layer < model.config().layers(); layer++) {
                for (String hook : HOOKS) {
                    String name = "blocks." + layer + ".attn." + hook;
                    List<long[]> shapes = seen.computeIfAbsent(name, n -> new ArrayList<>());
                    options = options.withHook(name, (activation, context) -> {
                        if (name.endsWith("hook_rot_k") && shapes.size() == VALUES_AT_PASS) {
                            rotatedKeys.put(name, activation.toFloatArray());
                        }
                        shapes.add(activation.getShape().getShape());
                        return activation;
                    });
                }
            }
            Generation generation = Generator.generate(model, Arrays.asList(ReferenceCase.rows(reference, "prompt")),
                    GenerationSettings.greedy(NEW_TOKENS), options, GenerationListener.NONE);

            long[][] expectedTokens = ReferenceCase.rows(reference, "generated");
            for (int row = 0; row < expectedTokens.length; row++) {
                long[] expected = Arrays.copyOfRange(expectedTokens[row], expectedTokens[row].length - NEW_TOKENS,
                        expectedTokens[row].length);
                assertArrayEquals(expected, generation.newTokens(row), "row " + row + ": TransformerLens "
                        + Arrays.toString(expected) + " vs ours " + Arrays.toString(generation.newTokens(row)));
            }
            for (Map.Entry<String, List<long[]>> hook : seen.entrySet()) {
                long[][] expected = ReferenceCase.rows(reference, "shapes/" + hook.getKey());
                assertEquals(Arrays.deepToString(expected), Arrays.deepToString(hook.getValue().toArray(long[][]::new)),
                        hook.getKey() + ": shapes per pass, TransformerLens vs ours");
            }
            for (int layer = 0; layer < model.config().layers(); layer++) {
                String name = "blocks." + layer + ".attn.hook_rot_k";
                float[] expected = reference.readFloats("rot_k/pass" + VALUES_AT_PASS + "/blocks." + layer);
                float[] actual = rotatedKeys.get(name);
                assertEquals(expected.length, actual.length, name + " at pass " + VALUES_AT_PASS
                        + ": TransformerLens values " + expected.length + " vs ours " + actual.length);
                for (int i = 0; i < expected.length; i++) {
                    assertTrue(Math.abs(expected[i] - actual[i]) <= 1e-4, name + " at pass " + VALUES_AT_PASS
                            + " element " + i + ": TransformerLens " + expected[i] + " vs ours " + actual[i]);
                }
            }
        }
    }

    /**
     * TransformerLens caches what {@code hook_k} returns and rotates it again every step, so an edit made at
     * {@code hook_k} on the prompt pass persists in later steps' keys while one made at {@code hook_rot_k} does not.
     * Rotation is linear: with keys tripled at {@code hook_k} and the rotated keys doubled at {@code hook_rot_k}, both
     * on the prompt pass only, the first step's {@code hook_rot_k} shows the prompt positions at 3x (not 6x) the
     * rotated keys of an unedited run.
     */
    @Test
    void anEditAtHookKPersistsInLaterStepsAndOneAtHookRotKDoesNot() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("llama-gqa").directory());
                SafetensorsFile reference = SafetensorsFile.open(REFERENCE)) {
            List<long[]> prompts = Arrays.asList(ReferenceCase.rows(reference, "prompt"));
            int promptLength = prompts.get(0).length;
            List<float[]> unedited = new ArrayList<>();
            Generator.generate(model, prompts, GenerationSettings.greedy(2),
                    RunOptions.none().withHook("blocks.0.attn.hook_rot_k", (activation, context) -> {
                        unedited.add(activation.toFloatArray());
                        return activation;
                    }), GenerationListener.NONE);

            int[] keyPasses = {0};
            List<float[]> edited = new ArrayList<>();
            RunOptions edits = RunOptions.none()
                    .withHook("blocks.0.attn.hook_k", (activation, context) ->
                            keyPasses[0]++ == 0 ? activation.mul(3f) : activation)
                    .withHook("blocks.0.attn.hook_rot_k", (activation, context) -> {
                        edited.add(activation.toFloatArray());
                        return edited.size() == 1 ? activation.mul(2f) : activation;
                    });
            Generator.generate(model, prompts, GenerationSettings.greedy(2), edits, GenerationListener.NONE);

            float[] prompt = unedited.get(0);
            float[] step = edited.get(1);
            int rows = prompts.size();
            int perPosition = prompt.length / rows / promptLength;
            assertEquals(rows * (promptLength + 1) * perPosition, step.length, "hook_rot_k values at the first cached"
                    + " step: expected " + rows + " rows of " + (promptLength + 1) + " positions, got " + step.length);
            for (int row = 0; row < rows; row++) {
                for (int at = 0; at < promptLength * perPosition; at++) {
                    float expected = 3 * prompt[row * promptLength * perPosition + at];
                    float actual = step[row * (promptLength + 1) * perPosition + at];
                    assertTrue(Math.abs(expected - actual) <= 1e-5, "row " + row + " prompt element " + at
                            + ": 3 x unedited rotated key " + expected + " vs first cached step's " + actual);
                }
            }
        }
    }
}
