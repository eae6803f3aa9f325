package dev.arrakis.tools.tracing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.annotations.Restore;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Causal tracing's batched grid equals hand-written hooked runs: one single-row pass per cell and noise sample, the
 * noise added to {@code hook_embed} and the clean activation copied in element by element in Java, the answer's
 * probability taken by a softmax written out here.
 */
class CausalTracingTest {
    static final Path INDUCTION = model("induction-2l");
    static final Path GPT2_TINY = model("gpt2-tiny");

    /** Three repeated sequences of 6 random tokens; the subject is the earlier occurrence of the last token. */
    static SubjectPrompts repeatedPrompts(int vocab, long seed) {
        Random random = new Random(seed);
        List<long[]> prompts = new ArrayList<>();
        int[][] subjects = new int[3][];
        long[] answers = new long[3];
        for (int i = 0; i < 3; i++) {
            long[] half = random.longs(6, 0, vocab).toArray();
            long[] prompt = new long[11];
            System.arraycopy(half, 0, prompt, 0, 6);
            System.arraycopy(half, 0, prompt, 6, 5);
            prompts.add(prompt);
            subjects[i] = new int[] {4};
            answers[i] = half[5];
        }
        return new SubjectPrompts(prompts, subjects, answers);
    }

    @Test
    void residualGridEqualsHandWrittenRestores() {
        try (HookedTransformer model = HookedTransformer.load(INDUCTION)) {
            SubjectPrompts prompts = repeatedPrompts(64, 7);
            TraceOptions options = new TraceOptions(Restore.RESIDUAL, 1, 3, 3.0, 42);
            CausalTraceMap map = CausalTracing.trace(model, prompts, options);
            assertEquals(2, map.layers(), "layers of the map");
            assertEquals(11, map.positions(), "positions of the map");
            int[][] cells = {{0, 4}, {0, 5}, {1, 10}, {1, 4}, {0, 0}};
            for (int prompt = 0; prompt < prompts.size(); prompt++) {
                assertClose(handClean(model, prompts, prompt), map.cleanByPrompt()[prompt], "clean p of prompt "
                        + prompt);
                assertClose(handTraced(model, prompts, prompt, options, -1, -1, "hook_resid_post"),
                        map.corruptedByPrompt()[prompt], "corrupted p of prompt " + prompt);
                for (int[] cell : cells) {
                    assertClose(handTraced(model, prompts, prompt, options, cell[0], cell[1], "hook_resid_post"),
                            map.byPrompt()[prompt][cell[0]][cell[1]], "prompt " + prompt + " cell " + Arrays
                                    .toString(cell));
                }
            }
            double meanCell = Arrays.stream(map.byPrompt()).mapToDouble(byPrompt -> byPrompt[1][10]).average()
                    .orElseThrow();
            assertClose(meanCell, map.probability()[1][10], "mean over prompts at (1, 10)");
        }
    }

    @Test
    void mlpAndAttentionWindowsEqualHandWrittenRestores() {
        try (HookedTransformer model = HookedTransformer.load(GPT2_TINY)) {
            SubjectPrompts prompts = new SubjectPrompts(List.of(new long[] {5, 17, 99, 230, 17, 99, 230, 5}),
                    new int[][] {{1, 2}}, new long[] {230});
            for (Restore restore : List.of(Restore.MLP, Restore.ATTENTION)) {
                String hook = restore == Restore.MLP ? "hook_mlp_out" : "hook_attn_out";
                TraceOptions options = new TraceOptions(restore, 2, 2, 3.0, 5);
                CausalTraceMap map = CausalTracing.trace(model, prompts, options);
                // Window 2 on two layers: layer 0 restores layer 0 alone, layer 1 restores layers 0 and 1 (ROME).
                for (int[] cell : new int[][] {{0, 1}, {1, 2}, {1, 6}, {0, 7}}) {
                    assertClose(handTraced(model, prompts, 0, options, cell[0], cell[1], hook),
                            map.byPrompt()[0][cell[0]][cell[1]], restore + " cell " + Arrays.toString(cell));
                }
            }
        }
    }

    @Test
    void sameSeedSameMapOtherSeedOtherMap() {
        try (HookedTransformer model = HookedTransformer.load(INDUCTION)) {
            SubjectPrompts prompts = repeatedPrompts(64, 7);
            CausalTraceMap first = CausalTracing.trace(model, prompts, new TraceOptions(Restore.RESIDUAL, 1, 2, 3.0,
                    9));
            CausalTraceMap again = CausalTracing.trace(model, prompts, new TraceOptions(Restore.RESIDUAL, 1, 2, 3.0,
                    9));
            CausalTraceMap other = CausalTracing.trace(model, prompts, new TraceOptions(Restore.RESIDUAL, 1, 2, 3.0,
                    10));
            for (int layer = 0; layer < first.layers(); layer++) {
                assertArrayEquals(first.probability()[layer], again.probability()[layer],
                        "layer " + layer + " under seed 9 twice: " + Arrays.toString(first.probability()[layer])
                                + " vs " + Arrays.toString(again.probability()[layer]));
            }
            assertEquals(first.corrupted(), again.corrupted(), "corrupted baseline under seed 9 twice");
            assertTrue(first.corrupted() != other.corrupted(), "seeds 9 and 10 give the same corrupted baseline "
                    + first.corrupted() + " = " + other.corrupted());
        }
    }

    @Test
    void windowLayersFollowRome() {
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, CausalTracing.windowLayers(0, 10, 48), "window 10 at layer 0");
        assertArrayEquals(new int[] {15, 16, 17, 18, 19, 20, 21, 22, 23, 24}, CausalTracing.windowLayers(20, 10, 48),
                "window 10 at layer 20");
        assertArrayEquals(new int[] {42, 43, 44, 45, 46, 47}, CausalTracing.windowLayers(47, 10, 48),
                "window 10 at layer 47");
        assertArrayEquals(new int[] {0, 1}, CausalTracing.windowLayers(1, 2, 2), "window 2 at layer 1 of 2");
        assertArrayEquals(new int[] {1}, CausalTracing.windowLayers(1, 1, 2), "window 1 at layer 1 of 2");
    }

    @Test
    void badRequestsNameWhatIsWrong() {
        TracingException residualWindow = assertThrows(TracingException.class,
                () -> new TraceOptions(Restore.RESIDUAL, 3, 10, 3.0, 1));
        assertTrue(residualWindow.getMessage().contains("window 3"), residualWindow.getMessage());
        TracingException subject = assertThrows(TracingException.class, () -> new SubjectPrompts(
                List.of(new long[] {1, 2, 3}), new int[][] {{3}}, new long[] {1}));
        assertTrue(subject.getMessage().contains("subject position 3 of prompt 0"), subject.getMessage());
        try (HookedTransformer model = HookedTransformer.load(INDUCTION)) {
            TracingException wide = assertThrows(TracingException.class, () -> CausalTracing.trace(model,
                    repeatedPrompts(64, 7), new TraceOptions(Restore.ATTENTION, 3, 1, 3.0, 1)));
            assertTrue(wide.getMessage().contains("window 3 is wider than the model's 2 layers"), wide.getMessage());
            TracingException answer = assertThrows(TracingException.class, () -> CausalTracing.trace(model,
                    new SubjectPrompts(List.of(new long[] {1, 2}), new int[][] {{0}}, new long[] {64}),
                    TraceOptions.residual()));
            assertTrue(answer.getMessage().contains("answer token 64 of prompt 0"), answer.getMessage());
        }
    }

    /** The answer's probability on the clean prompt, by a softmax written out here. */
    private static double handClean(HookedTransformer model, SubjectPrompts prompts, int prompt) {
        try (ForwardResult pass = model.forward(TokenBatch.of(prompts.prompt(prompt)))) {
            return answerProbability(pass.logits(), prompts.answer(prompt));
        }
    }

    /**
     * Mean over samples of the answer's probability on the corrupted prompt with the clean {@code hook} restored at
     * {@code position} in the window around {@code layer} (nothing restored when {@code layer < 0}): one pass per
     * sample.
     */
    private static double handTraced(HookedTransformer model, SubjectPrompts prompts, int prompt,
            TraceOptions options, int layer, int position, String hook) {
        long[] tokens = prompts.prompt(prompt);
        int[] subject = prompts.subject(prompt);
        int dModel = model.config().dModel();
        int length = tokens.length;
        double sigma = std(model.weights().embedding().toFloatArray());
        int[] restoredLayers = layer < 0 ? new int[0] : CausalTracing.windowLayers(layer, options.window(),
                model.config().layers());
        String[] names = Arrays.stream(restoredLayers).mapToObj(l -> "blocks." + l + "." + hook)
                .toArray(String[]::new);
        double sum = 0;
        try (ForwardResult clean = model.runWithCache(TokenBatch.of(tokens), names)) {
            for (int sample = 0; sample < options.samples(); sample++) {
                float[][] noise = CausalTracing.noise(options.seed(), prompt, sample, subject.length, dModel,
                        options.noise() * sigma);
                RunOptions run = RunOptions.none().withHook("hook_embed", (activation, context) -> {
                    float[] values = activation.toFloatArray();
                    for (int s = 0; s < subject.length; s++) {
                        for (int d = 0; d < dModel; d++) {
                            values[subject[s] * dModel + d] += noise[s][d];
                        }
                    }
                    return context.scope().create(values, new Shape(1, length, dModel));
                });
                for (String name : names) {
                    float[] cleanValues = clean.cache().get(name).toFloatArray();
                    run = run.withHook(name, (activation, context) -> {
                        float[] values = activation.toFloatArray();
                        System.arraycopy(cleanValues, position * dModel, values, position * dModel, dModel);
                        return context.scope().create(values, new Shape(1, length, dModel));
                    });
                }
                try (ForwardResult pass = model.run(TokenBatch.of(tokens), run)) {
                    sum += answerProbability(pass.logits(), prompts.answer(prompt));
                }
            }
        }
        return sum / options.samples();
    }

    private static double answerProbability(NDArray logits, long answer) {
        float[] values = logits.toFloatArray();
        int vocab = (int) logits.getShape().get(2);
        int last = (int) logits.getShape().get(1) - 1;
        double max = Double.NEGATIVE_INFINITY;
        for (int v = 0; v < vocab; v++) {
            max = Math.max(max, values[last * vocab + v]);
        }
        double total = 0;
        for (int v = 0; v < vocab; v++) {
            total += Math.exp(values[last * vocab + v] - max);
        }
        return Math.exp(values[last * vocab + (int) answer] - max) / total;
    }

    private static double std(float[] values) {
        double mean = 0;
        for (float value : values) {
            mean += value / (double) values.length;
        }
        double squares = 0;
        for (float value : values) {
            squares += (value - mean) * (value - mean);
        }
        return Math.sqrt(squares / values.length);
    }

    private static void assertClose(double expected, double actual, String what) {
        assertFalse(Double.isNaN(actual), what + " is NaN");
        assertEquals(expected, actual, 1e-5, what + ": hand-written " + expected + ", traced " + actual);
    }

    private static Path model(String name) {
        Path fromRuntime = Path.of("..", "models", name);
        return Files.isDirectory(fromRuntime) ? fromRuntime : Path.of("models", name);
    }
}
