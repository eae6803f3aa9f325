package dev.arrakis.model;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.ArrakisException;
import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.hooks.HookException;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.hooks.Interventions;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.spec.UnknownHookPointException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Reading, replacing, caching and stopping, checked against relations that must hold exactly. */
class HookBehaviourTest {
    private static HookedTransformer model;
    private static TokenBatch batch;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(ReferenceCase.of("gpt2-hub-layout").directory());
        batch = TokenBatch.of(new long[] {5, 17, 3, 99, 42, 7}, new long[] {1, 2, 3, 4, 5, 6});
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void cacheKeepsExactlyWhatWasAskedFor() {
        try (ForwardResult result = model.runWithCache(batch, "blocks.1.hook_resid_post", "hook_embed")) {
            assertEquals(List.of("hook_embed", "blocks.1.hook_resid_post"), List.copyOf(result.cache().names()));
            assertEquals(List.of(2L, 6L, 48L), toList(result.cache().get("hook_embed").getShape().getShape()));
        }
    }

    @Test
    void everyHookPointIsVisitedWithTheCataloguedShape() {
        try (ForwardResult result = model.run(batch, RunOptions.none().withCacheFilter(name -> true))) {
            List<HookPoint> points = model.hookPoints().all();
            assertEquals(points.size(), result.cache().size());
            for (HookPoint point : points) {
                assertEquals(toList(point.shape(model.config(), 2, 6)),
                        toList(result.cache().get(point.name()).getShape().getShape()), point.name());
            }
        }
    }

    @Test
    void replacingAnActivationChangesEverythingDownstream() {
        RunOptions zeroAttention = RunOptions.none()
                .withHook("blocks.0.hook_attn_out", (activation, context) -> activation.zerosLike())
                .withCache("blocks.0.hook_resid_pre", "blocks.0.hook_resid_mid", "blocks.0.hook_attn_out");
        try (ForwardResult hooked = model.run(batch, zeroAttention); ForwardResult clean = model.forward(batch)) {
            assertEquals(0f, hooked.cache().get("blocks.0.hook_attn_out").abs().sum().getFloat(),
                    "the cache records the replacement");
            assertClose("resid_mid = resid_pre when attention is zeroed",
                    hooked.cache().get("blocks.0.hook_resid_pre").toFloatArray(),
                    hooked.cache().get("blocks.0.hook_resid_mid").toFloatArray(), 0);
            float change = hooked.logits().sub(clean.logits()).abs().max().getFloat();
            assertTrue(change > 1e-3, "logits changed by at most " + change);
        }
    }

    @Test
    void zeroAblatingHeadsThroughZMatchesAblatingThemThroughResult() {
        String z = "blocks.1.attn.hook_z";
        String result = "blocks.1.attn.hook_result";
        try (ForwardResult viaZ = model.run(batch, RunOptions.none().withHook(z, Interventions.zeroHeads(0, 2)));
                ForwardResult viaResult = model.run(batch,
                        RunOptions.none().withHook(result, Interventions.zeroHeads(0, 2)));
                ForwardResult clean = model.forward(batch)) {
            assertClose("same ablation, two hook points", viaZ.logits().toFloatArray(),
                    viaResult.logits().toFloatArray(), 1e-5);
            float change = viaZ.logits().sub(clean.logits()).abs().max().getFloat();
            assertTrue(change > 1e-3, "the ablation changes the logits by at most " + change);
        }
    }

    @Test
    void headResultsSumToAttentionOutput() {
        String result = "blocks.2.attn.hook_result";
        try (ForwardResult run = model.runWithCache(batch, result, "blocks.2.hook_attn_out")) {
            NDArray summed = run.cache().get(result).sum(new int[] {2})
                    .add(model.weights().get("blocks.2.attn.b_O"));
            assertClose("sum over heads of hook_result + b_O", run.cache().get("blocks.2.hook_attn_out").toFloatArray(),
                    summed.toFloatArray(), 1e-5);
        }
    }

    @Test
    void observingTheNormsGivesTheSameNumbersAsTheFusedKernel() {
        try (ForwardResult fused = model.forward(batch);
                ForwardResult observed = model.run(batch, RunOptions.none().withCacheFilter(name -> name.contains("ln")))) {
            assertEquals(3 * 4 + 2, observed.cache().size());
            assertClose("fused vs hooked LayerNorm", fused.logits().toFloatArray(), observed.logits().toFloatArray(), 1e-5);
        }
    }

    @Test
    void patternIsTheSoftmaxOfTheScores() {
        try (ForwardResult run = model.runWithCache(batch, "blocks.1.attn.hook_attn_scores", "blocks.1.attn.hook_pattern")) {
            NDArray scores = run.cache().get("blocks.1.attn.hook_attn_scores");
            assertClose("softmax(scores)", run.cache().get("blocks.1.attn.hook_pattern").toFloatArray(),
                    scores.softmax(-1).toFloatArray(), 1e-6);
            assertEquals(-Float.MAX_VALUE, scores.get(new NDIndex(0, 0, 0, 1)).getFloat(), "future keys masked");
        }
    }

    @Test
    void stoppingAtALayerReturnsTheResidualEnteringIt() {
        try (ForwardResult stopped = model.run(batch, RunOptions.none().stoppingAtLayer(2));
                ForwardResult full = model.runWithCache(batch, "blocks.2.hook_resid_pre", "blocks.2.hook_resid_post")) {
            assertClose("residual at layer 2", full.cache().get("blocks.2.hook_resid_pre").toFloatArray(),
                    stopped.residual().toFloatArray(), 0);
            assertThrows(ArrakisException.class, stopped::logits);
            assertEquals(2, stopped.stoppedAtLayer().orElseThrow());
        }
        try (ForwardResult fromEnd = model.run(batch, RunOptions.none().stoppingAtLayer(-1))) {
            assertEquals(2, fromEnd.stoppedAtLayer().orElseThrow());
        }
        ArrakisException outOfRange =
                assertThrows(ArrakisException.class, () -> model.run(batch, RunOptions.none().stoppingAtLayer(4)));
        assertTrue(outOfRange.getMessage().contains("layers 0..2"), outOfRange.getMessage());
    }

    @Test
    void aThrowingHookNamesItsPointAndLeavesNothingAttached() {
        float[] before;
        try (ForwardResult clean = model.forward(batch)) {
            before = clean.logits().toFloatArray();
        }
        AtomicInteger calls = new AtomicInteger();
        RunOptions failing = RunOptions.none().withHook("blocks.1.mlp.hook_post", (activation, context) -> {
            calls.incrementAndGet();
            throw new IllegalStateException("boom");
        });
        HookException failure = assertThrows(HookException.class, () -> model.run(batch, failing));
        assertEquals("blocks.1.mlp.hook_post", failure.hookName());
        assertTrue(failure.getMessage().contains("boom"), failure.getMessage());
        try (ForwardResult after = model.forward(batch)) {
            assertClose("a later plain pass is unaffected", before, after.logits().toFloatArray(), 0);
        }
        assertEquals(1, calls.get(), "the hook ran once and never again");
    }

    @Test
    void aHookReturningTheWrongShapeIsRejected() {
        RunOptions wrong = RunOptions.none().withHook("blocks.0.hook_resid_pre",
                (activation, context) -> activation.get(new NDIndex(":, :2")));
        HookException failure = assertThrows(HookException.class, () -> model.run(batch, wrong));
        assertTrue(failure.getMessage().contains("blocks.0.hook_resid_pre"), failure.getMessage());
    }

    @Test
    void aReplacementFromTheCallersManagerIsCopiedNotLeakedInto() {
        try (NDManager callers = NDManager.newBaseManager("PyTorch")) {
            NDArray zeros = callers.zeros(new ai.djl.ndarray.types.Shape(2, 6, 48));
            RunOptions replace = RunOptions.none()
                    .withHook("blocks.0.hook_mlp_out", (activation, context) -> zeros)
                    .withCache("blocks.0.hook_mlp_out");
            try (ForwardResult result = model.run(batch, replace)) {
                assertEquals(0f, result.cache().get("blocks.0.hook_mlp_out").abs().sum().getFloat());
                assertFalse(result.logits().isReleased(), "the logits outlive the replaced activation");
            }
            assertEquals(1, NativeResources.attachedCount(callers), "nothing was allocated in the caller's manager");
            assertFalse(zeros.isReleased(), "the caller's array is still the caller's");
        }
    }

    @Test
    void unknownHookNamesFailBeforeTheForwardPassWithASuggestion() {
        UnknownHookPointException unknown = assertThrows(UnknownHookPointException.class,
                () -> model.runWithCache(batch, "blocks.1.attn.hook_patern"));
        assertTrue(unknown.getMessage().contains("did you mean 'blocks.1.attn.hook_pattern'"), unknown.getMessage());
        assertThrows(UnknownHookPointException.class, () -> model.run(batch,
                RunOptions.none().withHook("blocks.3.hook_resid_pre", (a, c) -> a)));
    }

    @Test
    void actNameFollowsTransformerLensShorthand() {
        assertEquals("blocks.2.attn.hook_pattern", model.hookPoints().actName("pattern", 2));
        assertEquals("blocks.0.hook_resid_pre", model.hookPoints().actName("resid_pre", 0));
        assertEquals("blocks.1.mlp.hook_post", model.hookPoints().actName("post", 1));
        assertThrows(UnknownHookPointException.class, () -> model.hookPoints().actName("pattern", 3));
    }

    @Test
    void badTokensAreRejectedWithTheirPlace() {
        ArrakisException outside = assertThrows(ArrakisException.class,
                () -> model.forward(TokenBatch.of(new long[] {1, 2, 200})));
        assertTrue(outside.getMessage().contains("token id 200 at row 0, position 2"), outside.getMessage());
        ArrakisException tooLong = assertThrows(ArrakisException.class, () -> model.forward(TokenBatch.of(new long[25])));
        assertTrue(tooLong.getMessage().contains("context of 24"), tooLong.getMessage());
    }

    private static List<Long> toList(long[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
