package dev.arrakis.tools.residual;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.annotations.Breakdown;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.tools.TlReference;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Stacks of the residual stream equal TransformerLens's {@code accumulated_resid}, {@code decompose_resid},
 * {@code stack_head_results}, {@code get_full_resid_decomposition} and {@code apply_ln_to_stack} on the same weights
 * and tokens, within 1e-4 in f32 (the two forward passes round differently by ~1e-6).
 */
class ResidualStreamTest {
    private static final double TOLERANCE = 1e-4;

    static List<String> cases() {
        return TlReference.CASES;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void stacksEqualTransformerLens(String caseName) {
        try (TlReference reference = TlReference.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.run(TokenBatch.of(reference.rows("input_ids")),
                        RunOptions.none().withCacheFilter(name -> true));
                NDManager manager = NDManager.newBaseManager()) {
            ActivationCache cache = pass.cache();
            HookPoints points = model.hookPoints();
            StreamPoint end = StreamPoint.end(points.config());
            check(reference, "accumulated", ResidualStream.stack(model, cache, Breakdown.ACCUMULATED, manager));
            check(reference, "accumulated_mid",
                    ResidualStream.stack(model, cache, Breakdown.ACCUMULATED_WITH_MID, manager));
            check(reference, "accumulated_layer1_mlp_input", ResidualStream.stack(model, cache,
                    Breakdown.ACCUMULATED, StreamPoint.beforeMlp(1), manager));
            check(reference, "decomposed", ResidualStream.stack(model, cache, Breakdown.LAYERS, end, manager));
            ResidualStack beforeLayer1 =
                    ResidualStream.stack(model, cache, Breakdown.LAYERS, StreamPoint.beforeLayer(1), manager);
            check(reference, "decomposed_layer1_ln",
                    ResidualStream.applyCachedNorm(beforeLayer1, model, cache, manager));
            check(reference, "heads", ResidualStream.stack(model, cache, Breakdown.HEADS, manager));
            ResidualStack full = ResidualStream.stack(model, cache, Breakdown.HEADS_AND_MLPS, manager);
            check(reference, "full", full);
            check(reference, "full_ln", ResidualStream.applyCachedNorm(full, model, cache, manager));
        }
    }

    /** Every decomposition adds up to the residual it decomposes, at the end and in the middle of the model. */
    @ParameterizedTest
    @MethodSource("cases")
    void decompositionsSumToTheResidual(String caseName) {
        try (TlReference reference = TlReference.of(caseName);
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.run(TokenBatch.of(reference.rows("input_ids")),
                        RunOptions.none().withCacheFilter(name -> true));
                NDManager manager = NDManager.newBaseManager()) {
            HookPoints points = model.hookPoints();
            for (StreamPoint point : List.of(StreamPoint.end(points.config()), StreamPoint.beforeLayer(1),
                    StreamPoint.beforeMlp(1), StreamPoint.beforeLayer(0))) {
                NDArray residual = pass.cache().get(point.residualHook(points).name());
                for (Breakdown breakdown : List.of(Breakdown.LAYERS, Breakdown.HEADS, Breakdown.HEADS_AND_MLPS)) {
                    ResidualStack stack = ResidualStream.stack(model, pass.cache(), breakdown, point, manager);
                    assertClose(caseName + " " + breakdown + " summed at " + point + " vs " + point.residualHook(points).name(),
                            residual.getShape().getShape(), residual.toFloatArray(), stack.sum(manager), 1e-5);
                }
            }
        }
    }

    /** A pass caching exactly the required hooks is enough, and the list is what the breakdown reads. */
    @Test
    void requiredHooksAreWhatTheStackReads() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                NDManager manager = NDManager.newBaseManager()) {
            HookPoints points = model.hookPoints();
            List<String> hooks = ResidualStream.requiredHooks(points, Breakdown.HEADS_AND_MLPS,
                    StreamPoint.end(points.config()));
            assertEquals(List.of("blocks.0.attn.hook_z", "blocks.1.attn.hook_z", "blocks.0.hook_mlp_out",
                    "blocks.1.hook_mlp_out", "hook_embed", "hook_pos_embed"), hooks, "hooks for HEADS_AND_MLPS");
            assertEquals(List.of("blocks.0.hook_resid_pre", "blocks.0.hook_resid_mid", "blocks.1.hook_resid_pre"),
                    ResidualStream.requiredHooks(points, Breakdown.ACCUMULATED_WITH_MID, StreamPoint.beforeLayer(1)),
                    "hooks for ACCUMULATED_WITH_MID up to layer 1");
            try (ForwardResult pass = model.runWithCache(TokenBatch.of(reference.rows("input_ids")),
                    hooks.toArray(String[]::new))) {
                ResidualStack stack = ResidualStream.stack(model, pass.cache(), Breakdown.HEADS_AND_MLPS, manager);
                check(reference, "full", stack);
            }
        }
    }

    /** Head outputs computed from hook_z equal the opt-in hook_result the forward pass computes. */
    @Test
    void headOutputsFromZEqualCachedResults() {
        try (TlReference reference = TlReference.of("llama-gqa");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                NDManager manager = NDManager.newBaseManager()) {
            TokenBatch batch = TokenBatch.of(reference.rows("input_ids"));
            try (ForwardResult withZ = model.runWithCache(batch, "blocks.0.attn.hook_z", "blocks.1.attn.hook_z",
                    "blocks.1.hook_resid_mid");
                    ForwardResult withResult = model.runWithCache(batch, "blocks.0.attn.hook_result",
                            "blocks.1.attn.hook_result", "blocks.1.hook_resid_mid")) {
                assertTrue(!withZ.cache().contains("blocks.0.attn.hook_result"), "the z pass cached hook_result");
                NDArray fromZ = ResidualStream.stack(model, withZ.cache(), Breakdown.HEADS,
                        StreamPoint.beforeMlp(1), manager).array();
                NDArray fromResult = ResidualStream.stack(model, withResult.cache(), Breakdown.HEADS,
                        StreamPoint.beforeMlp(1), manager).array();
                // same z, same bits; later layers read a stream the hook_result pass summed in another order
                assertClose("layer 0 heads from z vs hook_result", new long[] {4, 2, 8, 64},
                        fromResult.get("0:4").toFloatArray(), fromZ.get("0:4"), 0);
                assertClose("layer 1 heads and remainder from z vs hook_result", new long[] {5, 2, 8, 64},
                        fromResult.get("4:9").toFloatArray(), fromZ.get("4:9"), 1e-5);
            }
        }
    }

    /** The stack is the only array left in the caller's manager; the cache's and the model's scopes keep their count. */
    @Test
    void allocatesOnlyTheReturnedStackOutsideItsScope() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.run(TokenBatch.of(reference.rows("input_ids")),
                        RunOptions.none().withCacheFilter(name -> true));
                NDManager manager = NDManager.newBaseManager()) {
            NDManager cacheManager = pass.cache().get("hook_embed").getManager();
            NDManager weightManager = model.weights().embedding().getManager();
            int cached = NativeResources.attachedCount(cacheManager);
            int weights = NativeResources.attachedCount(weightManager);
            for (Breakdown breakdown : Breakdown.values()) {
                ResidualStack stack = ResidualStream.stack(model, pass.cache(), breakdown, manager);
                ResidualStack normed = ResidualStream.applyCachedNorm(stack, model, pass.cache(), manager);
                ResidualStack lens = ResidualStream.applyFinalNorm(stack, model, manager);
                stack.vector(stack.labels().get(0), 1, -1);
                assertEquals(3, NativeResources.attachedCount(manager), breakdown + ": arrays in the caller's manager"
                        + " after reading a vector");
                stack.array().close();
                normed.array().close();
                lens.array().close();
            }
            assertEquals(cached, NativeResources.attachedCount(cacheManager), "arrays in the cache's manager");
            assertEquals(weights, NativeResources.attachedCount(weightManager), "arrays in the model's manager");
        }
    }

    @Test
    void badPointsAndLabelsNameWhatIsWrong() {
        try (TlReference reference = TlReference.of("gpt2-tiny");
                HookedTransformer model = HookedTransformer.load(reference.checkpoint());
                ForwardResult pass = model.runWithCache(TokenBatch.of(reference.rows("input_ids")),
                        "blocks.0.hook_resid_pre", "blocks.1.hook_resid_pre", "blocks.1.hook_resid_post");
                NDManager manager = NDManager.newBaseManager()) {
            ResidualStreamException beyond = assertThrows(ResidualStreamException.class,
                    () -> ResidualStream.stack(model, pass.cache(), Breakdown.ACCUMULATED, StreamPoint.beforeLayer(3),
                            manager));
            assertEquals("[Experiment/StreamPoint] the residual stream of gpt2 has no block input at layer 3 (layers"
                    + " 0..1, or 2 for the end of the model)",
                    beyond.getMessage());
            ResidualStreamException endMlp = assertThrows(ResidualStreamException.class,
                    () -> ResidualStream.requiredHooks(model.hookPoints(), Breakdown.LAYERS, StreamPoint.beforeMlp(2)));
            assertEquals("[Experiment/StreamPoint] the residual stream of gpt2 has no MLP input at layer 2 (the end of"
                    + " the model has none; the last MLP input is at layer 1)",
                    endMlp.getMessage());
            ResidualStack stack = ResidualStream.stack(model, pass.cache(), Breakdown.ACCUMULATED, manager);
            ResidualStreamException label = assertThrows(ResidualStreamException.class,
                    () -> stack.vector("final_pots", 0, 0));
            assertEquals("no component 'final_pots' in this stack of 3; did you mean 'final_post'? "
                    + "(components: 0_pre, 1_pre, final_post)", label.getMessage());
        }
    }

    /** Breakdowns a family's block makes meaningless are refused before any pass, naming the family and the way out. */
    @Test
    void familiesWithoutTheNeededStructureAreRefused() {
        try (HookedTransformer gemma2 = HookedTransformer.load(ReferenceCase.of("gemma2").directory());
                HookedTransformer neox = HookedTransformer.load(ReferenceCase.of("gpt-neox-parallel").directory())) {
            ResidualStreamException postNorms = assertThrows(ResidualStreamException.class,
                    () -> ResidualStream.requiredHooks(gemma2.hookPoints(), Breakdown.HEADS,
                            StreamPoint.end(gemma2.config())));
            assertEquals("[Experiment/Breakdown] gemma2 cannot break the residual stream down by HEADS: it normalises"
                    + " each attention output again (ln1_post) before it joins the stream, so head outputs do not add"
                    + " up to it; use LAYERS",
                    postNorms.getMessage());
            ResidualStreamException noMid = assertThrows(ResidualStreamException.class,
                    () -> ResidualStream.requiredHooks(neox.hookPoints(), Breakdown.ACCUMULATED_WITH_MID,
                            StreamPoint.end(neox.config())));
            assertEquals("[Experiment/Breakdown] gpt_neox cannot break the residual stream down by"
                    + " ACCUMULATED_WITH_MID: attention and MLP run in parallel, so there is no resid_mid; use"
                    + " ACCUMULATED",
                    noMid.getMessage());
            ResidualStreamException mlpInput = assertThrows(ResidualStreamException.class,
                    () -> ResidualStream.requiredHooks(neox.hookPoints(), Breakdown.LAYERS, StreamPoint.beforeMlp(0)));
            assertEquals("[Experiment/StreamPoint] the residual stream of gpt_neox has no MLP input at layer 0"
                    + " (attention and MLP run in parallel, so the MLP reads the block input and there is no"
                    + " resid_mid)", mlpInput.getMessage());
        }
    }

    private static void check(TlReference reference, String key, ResidualStack stack) {
        reference.assertLabels(key, stack.labels());
        assertClose(reference.caseName() + " " + key, reference.shape(key), reference.floats(key), stack.array(),
                TOLERANCE);
    }
}
