package dev.arrakis.samples.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.types.Shape;
import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.tools.tracing.SubjectPrompts;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The causal-tracing sample's maps, run by its generated runner, equal hand-written hooked runs at the cells its
 * javadoc explains: each a single-row pass per prompt and noise sample, the noise drawn here from the documented seed
 * formula and added to {@code hook_embed}, the clean activation copied in element by element, the probability a
 * softmax written out here. The story the javadoc tells is then read off those numbers.
 */
class CausalTracingTest {
    private static final double TOLERANCE = 1e-5;
    private static final int SAMPLES = 10;
    private static final double NOISE = 3.0;
    private static final long SEED = 1;

    private static HookedTransformer model;
    private static ExperimentRunner runner;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("../models/induction-2l"));
        runner = ExperimentRunner.open(ExperimentRegistry.load(CausalTracingTest.class.getClassLoader())
                .find("CausalTracing"), RunnerOptions.defaults().withModel(model));
    }

    @AfterAll
    static void close() {
        runner.close();
        model.close();
    }

    private static ArrayValue map(String run) {
        RunOutcome outcome = runner.run(run, Map.of());
        return (ArrayValue) outcome.values().get(0);
    }

    @Test
    void theResidualMapEqualsHandWrittenRestoresAndShowsTheCopyOnePositionOn() {
        ArrayValue map = map("residual");
        assertEquals("CausalTraceMap[2, 63]", map.type() + java.util.Arrays.toString(map.shape()),
                "the map's type and shape");
        int subject = CausalTracing.SUBJECT;
        int last = CausalTracing.LAST;
        double clean = byHand(-1, -1, "hook_resid_post", false);
        double corrupted = byHand(-1, -1, "hook_resid_post", true);
        double atSubject = byHand(0, subject, "hook_resid_post", true);
        double atNext = byHand(0, subject + 1, "hook_resid_post", true);
        double atLast = byHand(1, last, "hook_resid_post", true);
        double laterAtNext = byHand(1, subject + 1, "hook_resid_post", true);
        assertEquals(atSubject, map.get(0, subject), TOLERANCE, "(0, subject)");
        assertEquals(atNext, map.get(0, subject + 1), TOLERANCE, "(0, subject + 1)");
        assertEquals(atLast, map.get(1, last), TOLERANCE, "(1, last)");
        assertEquals(laterAtNext, map.get(1, subject + 1), TOLERANCE, "(1, subject + 1)");
        // Block 1's output at a position nothing reads any more cannot change the answer: the corrupted baseline.
        assertEquals(corrupted, map.get(1, subject + 1), TOLERANCE, "(1, subject + 1) against corrupted "
                + corrupted);
        assertTrue(clean > 0.99 && corrupted < 0.6, "clean " + clean + " above 0.99, corrupted " + corrupted
                + " below 0.6");
        assertTrue(atNext > 0.99 && atSubject < corrupted, "restored after block 0 at the next position " + atNext
                + " recovers; at the subject " + atSubject + " does not (corrupted " + corrupted + ")");
        assertEquals(clean, atLast, TOLERANCE, "the last position after the last block is the clean run");
    }

    @Test
    void theAttentionMapRecoversThroughBlockZerosAttentionAtTheNextPosition() {
        ArrayValue map = map("attention");
        int subject = CausalTracing.SUBJECT;
        double atNext = byHand(0, subject + 1, "hook_attn_out", true);
        double atSubject = byHand(0, subject, "hook_attn_out", true);
        assertEquals(atNext, map.get(0, subject + 1), TOLERANCE, "(0, subject + 1) attn_out");
        assertEquals(atSubject, map.get(0, subject), TOLERANCE, "(0, subject) attn_out");
        assertTrue(atNext > 0.99, "block 0's attention output at the next position recovers: " + atNext);
    }

    /**
     * Mean over prompts and samples of p(answer) with {@code blocks.layer.hook} restored at {@code position}
     * (nothing restored when {@code layer < 0}); the clean run when not {@code corrupt}.
     */
    private static double byHand(int layer, int position, String hook, boolean corrupt) {
        SubjectPrompts prompts = new CausalTracing().prompts();
        int dModel = model.config().dModel();
        float[] embedding = model.weights().embedding().toFloatArray();
        double mean = 0;
        for (float value : embedding) {
            mean += value / (double) embedding.length;
        }
        double squares = 0;
        for (float value : embedding) {
            squares += (value - mean) * (value - mean);
        }
        double std = NOISE * Math.sqrt(squares / embedding.length);
        String name = "blocks." + layer + "." + hook;
        double total = 0;
        for (int prompt = 0; prompt < prompts.size(); prompt++) {
            long[] tokens = prompts.prompts().get(prompt);
            int length = tokens.length;
            int subject = prompts.subjects()[prompt][0];
            long answer = prompts.answers()[prompt];
            try (ForwardResult clean = model.runWithCache(TokenBatch.of(tokens), layer < 0 ? new String[0]
                    : new String[] {name})) {
                float[] cleanValues = layer < 0 ? null : clean.cache().get(name).toFloatArray();
                for (int sample = 0; sample < (corrupt ? SAMPLES : 1); sample++) {
                    // The documented draw: java.util.Random(seed * 1_000_003 + prompt * 10_007 + sample).
                    Random random = new Random(SEED * 1_000_003L + prompt * 10_007L + sample);
                    float[] noise = new float[dModel];
                    for (int d = 0; d < dModel; d++) {
                        noise[d] = (float) (random.nextGaussian() * std);
                    }
                    RunOptions run = RunOptions.none();
                    if (corrupt) {
                        run = run.withHook("hook_embed", (activation, context) -> {
                            float[] values = activation.toFloatArray();
                            for (int d = 0; d < dModel; d++) {
                                values[subject * dModel + d] += noise[d];
                            }
                            return context.scope().create(values, new Shape(1, length, dModel));
                        });
                    }
                    if (layer >= 0) {
                        run = run.withHook(name, (activation, context) -> {
                            float[] values = activation.toFloatArray();
                            System.arraycopy(cleanValues, position * dModel, values, position * dModel, dModel);
                            return context.scope().create(values, new Shape(1, length, dModel));
                        });
                    }
                    try (ForwardResult pass = model.run(TokenBatch.of(tokens), run)) {
                        float[] logits = pass.logits().toFloatArray();
                        int vocab = model.config().vocabSize();
                        int offset = (length - 1) * vocab;
                        double max = Double.NEGATIVE_INFINITY;
                        for (int v = 0; v < vocab; v++) {
                            max = Math.max(max, logits[offset + v]);
                        }
                        double sum = 0;
                        for (int v = 0; v < vocab; v++) {
                            sum += Math.exp(logits[offset + v] - max);
                        }
                        total += Math.exp(logits[offset + (int) answer] - max) / sum / (corrupt ? SAMPLES : 1);
                    }
                }
            }
        }
        return total / prompts.size();
    }
}
