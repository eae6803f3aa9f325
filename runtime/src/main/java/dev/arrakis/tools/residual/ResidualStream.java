package dev.arrakis.tools.residual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.Architecture;
import dev.arrakis.tools.ScopedArrays;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The residual stream read from a cache as a {@link ResidualStack}: accumulated layer by layer, or cut into what wrote
 * it (TransformerLens's {@code accumulated_resid}, {@code decompose_resid}, {@code stack_head_results},
 * {@code get_full_resid_decomposition}, {@code apply_ln_to_stack}).
 *
 * <p>A pass caches what {@link #requiredHooks} names; the tool then allocates only in a scope of its own and hands the
 * stack to the caller's manager. Per-head outputs come from {@code attn.hook_result} when the pass cached it, else
 * from {@code attn.hook_z} and {@code W_O} as the forward pass computes them, so the costly opt-in hook is never
 * needed.
 */
public final class ResidualStream {
    private ResidualStream() {}

    /** The hooks a pass must cache for {@link #stack} to cut the stream this way up to {@code upTo}. */
    public static List<String> requiredHooks(HookPoints points, Breakdown breakdown, StreamPoint upTo) {
        upTo.check(points);
        checkBreakdown(points.config(), breakdown);
        LinkedHashSet<String> hooks = new LinkedHashSet<>();
        switch (breakdown) {
            case ACCUMULATED, ACCUMULATED_WITH_MID -> {
                for (Part part : accumulatedParts(points, upTo, breakdown == Breakdown.ACCUMULATED_WITH_MID)) {
                    hooks.add(part.hook);
                }
            }
            case LAYERS -> layerParts(points, upTo).forEach(part -> hooks.add(part.hook));
            case HEADS -> {
                headLayers(upTo).forEach(l -> hooks.add(points.block(l).z().name()));
                hooks.add(upTo.residualHook(points));
            }
            case HEADS_AND_MLPS -> {
                headLayers(upTo).forEach(l -> hooks.add(points.block(l).z().name()));
                mlpLayers(upTo).forEach(l -> hooks.add(points.block(l).mlpOut().name()));
                embeddingParts(points).forEach(part -> hooks.add(part.hook));
            }
        }
        return List.copyOf(hooks);
    }

    /** The hook {@link #applyCachedNorm} divides by at that point ({@code ln1}, {@code ln2} or {@code ln_final}). */
    public static String normScaleHook(HookPoints points, StreamPoint at) {
        return at.normScaleHook(points);
    }

    /** The stream cut as {@code breakdown} says, up to the end of the model. */
    public static ResidualStack stack(HookedTransformer model, ActivationCache cache, Breakdown breakdown,
            NDManager manager) {
        return stack(model, cache, breakdown, StreamPoint.end(model.hookPoints()), manager);
    }

    /**
     * The stream cut as {@code breakdown} says, up to {@code upTo}: the decompositions sum to the residual there, the
     * accumulated stacks end with it.
     *
     * @param manager owns the returned stack; nothing else is allocated outside a scope closed before returning
     */
    public static ResidualStack stack(HookedTransformer model, ActivationCache cache, Breakdown breakdown,
            StreamPoint upTo, NDManager manager) {
        HookPoints points = model.hookPoints();
        upTo.check(points);
        checkBreakdown(model.config(), breakdown);
        try (NDManager scope = manager.newSubManager()) {
            List<String> labels = new ArrayList<>();
            NDList parts = new NDList();
            switch (breakdown) {
                case ACCUMULATED, ACCUMULATED_WITH_MID -> addCached(cache,
                        accumulatedParts(points, upTo, breakdown == Breakdown.ACCUMULATED_WITH_MID), labels, parts,
                        scope);
                case LAYERS -> addCached(cache, layerParts(points, upTo), labels, parts, scope);
                case HEADS -> {
                    addHeads(model, cache, upTo, labels, parts, scope);
                    NDArray residual = ScopedArrays.view(cache.get(upTo.residualHook(points)), scope);
                    NDArray remainder = parts.isEmpty() ? residual
                            : residual.sub(NDArrays.concat(parts, 0).sum(new int[] {0}));
                    labels.add("remainder");
                    parts.add(remainder.expandDims(0));
                }
                case HEADS_AND_MLPS -> {
                    addHeads(model, cache, upTo, labels, parts, scope);
                    List<Part> mlps = new ArrayList<>();
                    mlpLayers(upTo).forEach(l -> mlps.add(new Part(l + "_mlp_out", points.block(l).mlpOut().name())));
                    addCached(cache, mlps, labels, parts, scope);
                    addCached(cache, embeddingParts(points), labels, parts, scope);
                    NDArray embed = parts.get(parts.size() - 1);
                    labels.add("bias");
                    parts.add(unownedBias(model.weights(), upTo, scope).broadcast(embed.getShape()));
                }
            }
            NDArray stacked = NDArrays.concat(parts, 0);
            stacked.attach(manager);
            return new ResidualStack(labels, stacked, upTo);
        }
    }

    /**
     * TransformerLens's {@code apply_ln_to_stack}: each component centred (LayerNorm families) and divided by the
     * scale the norm reading the stream at {@code at} computed in the cached pass. The norm's weight and bias are not
     * applied; the components then add up to that norm's input as the norm itself saw it, so they stay linear.
     */
    public static ResidualStack applyCachedNorm(ResidualStack stack, HookedTransformer model, ActivationCache cache,
            StreamPoint at, NDManager manager) {
        HookPoints points = model.hookPoints();
        try (NDManager scope = manager.newSubManager()) {
            NDArray components = ScopedArrays.view(stack.array(), scope);
            if (model.config().architecture().normalization() == Architecture.Normalization.LAYER_NORM) {
                components = components.sub(components.mean(new int[] {-1}, true));
            }
            NDArray scale = ScopedArrays.view(cache.get(at.normScaleHook(points)), scope);
            NDArray scaled = components.div(scale.expandDims(0));
            scaled.attach(manager);
            return new ResidualStack(stack.labels(), scaled, stack.point());
        }
    }

    /** {@link #applyCachedNorm} with the norm that reads the stream where the stack was read. */
    public static ResidualStack applyCachedNorm(ResidualStack stack, HookedTransformer model, ActivationCache cache,
            NDManager manager) {
        return applyCachedNorm(stack, model, cache, stack.point(), manager);
    }

    /**
     * The final norm recomputed on each component as if it were the whole stream, weight and bias included: the
     * logit lens proper (TransformerLens's {@code accumulated_resid(apply_ln=True)}). Meaningful for accumulated
     * stacks; the components of a decomposition do not add up after it.
     */
    public static ResidualStack applyFinalNorm(ResidualStack stack, HookedTransformer model, NDManager manager) {
        ModelConfig config = model.config();
        TransformerWeights weights = model.weights();
        try (NDManager scope = manager.newSubManager()) {
            NDArray x = ScopedArrays.view(stack.array(), scope);
            NDArray centred = config.architecture().normalization() == Architecture.Normalization.LAYER_NORM
                    ? x.sub(x.mean(new int[] {-1}, true))
                    : x;
            NDArray scale = centred.pow(2).mean(new int[] {-1}, true).add((float) config.normEps()).sqrt();
            NDArray normalized = centred.div(scale).mul(ScopedArrays.weight(weights.lnFinalWeight(), scope));
            if (weights.lnFinalBias() != null) {
                normalized = normalized.add(ScopedArrays.weight(weights.lnFinalBias(), scope));
            }
            normalized.attach(manager);
            return new ResidualStack(stack.labels(), normalized, stack.point());
        }
    }

    /** A cached hook and the label its component gets. */
    private record Part(String label, String hook) {}

    private static List<Part> accumulatedParts(HookPoints points, StreamPoint upTo, boolean includeMid) {
        int layers = points.config().layers();
        List<Part> parts = new ArrayList<>();
        for (int l = 0; l <= upTo.layer(); l++) {
            if (l == layers) {
                parts.add(new Part("final_post", points.block(layers - 1).residPost().name()));
                continue;
            }
            parts.add(new Part(l + "_pre", points.block(l).residPre().name()));
            if ((includeMid && l < upTo.layer()) || (upTo.mlpInput() && l == upTo.layer())) {
                parts.add(new Part(l + "_mid", points.block(l).residMid().name()));
            }
        }
        return parts;
    }

    private static List<Part> embeddingParts(HookPoints points) {
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("embed", points.embed().name()));
        if (points.posEmbed() != null) {
            parts.add(new Part("pos_embed", points.posEmbed().name()));
        }
        return parts;
    }

    private static List<Part> layerParts(HookPoints points, StreamPoint upTo) {
        List<Part> parts = embeddingParts(points);
        for (int l = 0; l < upTo.layer(); l++) {
            parts.add(new Part(l + "_attn_out", points.block(l).attnOut().name()));
            parts.add(new Part(l + "_mlp_out", points.block(l).mlpOut().name()));
        }
        if (upTo.mlpInput()) {
            parts.add(new Part(upTo.layer() + "_attn_out", points.block(upTo.layer()).attnOut().name()));
        }
        return parts;
    }

    /** The layers whose heads have written into the stream by {@code upTo}. */
    private static List<Integer> headLayers(StreamPoint upTo) {
        int count = upTo.layer() + (upTo.mlpInput() ? 1 : 0);
        return java.util.stream.IntStream.range(0, count).boxed().toList();
    }

    private static List<Integer> mlpLayers(StreamPoint upTo) {
        return java.util.stream.IntStream.range(0, upTo.layer()).boxed().toList();
    }

    /**
     * Head outputs are linear pieces of the stream only when nothing normalises the attention output before it joins
     * the stream.
     */
    private static void checkBreakdown(ModelConfig config, Breakdown breakdown) {
        boolean byHead = breakdown == Breakdown.HEADS || breakdown == Breakdown.HEADS_AND_MLPS;
        if (byHead && config.architecture().postNorms()) {
            throw new ResidualStreamException(config.modelType() + " normalises each attention output again "
                    + "(ln1_post) before it joins the stream, so head outputs do not add up to it; break it down by "
                    + Breakdown.LAYERS + " instead of " + breakdown);
        }
        if (breakdown == Breakdown.ACCUMULATED_WITH_MID && config.architecture().parallelAttentionMlp()) {
            throw new ResidualStreamException(config.modelType() + " runs attention and MLP in parallel and has no "
                    + "resid_mid; use " + Breakdown.ACCUMULATED);
        }
    }

    private static void addCached(ActivationCache cache, List<Part> parts, List<String> labels, NDList arrays,
            NDManager scope) {
        for (Part part : parts) {
            labels.add(part.label);
            arrays.add(ScopedArrays.view(cache.get(part.hook), scope).expandDims(0));
        }
    }

    /** Each head's output {@code [head, batch, pos, d_model]} per layer, labelled {@code L{l}H{h}}. */
    private static void addHeads(HookedTransformer model, ActivationCache cache, StreamPoint upTo,
            List<String> labels, NDList arrays, NDManager scope) {
        HookPoints points = model.hookPoints();
        for (int l : headLayers(upTo)) {
            HookPoints.Block block = points.block(l);
            NDArray results;
            if (cache.contains(block.result().name())) {
                results = ScopedArrays.view(cache.get(block.result().name()), scope);
            } else {
                // as the forward pass computes hook_result, so both routes give the same bits
                NDArray z = ScopedArrays.view(cache.get(block.z().name()), scope);
                NDArray outputByHead = ScopedArrays.weight(model.weights().block(l).outputByHead(), scope);
                results = z.transpose(0, 2, 1, 3).matMul(outputByHead).transpose(0, 2, 1, 3);
            }
            arrays.add(results.transpose(2, 0, 1, 3));
            for (int h = 0; h < model.config().heads(); h++) {
                labels.add("L" + l + "H" + h);
            }
        }
    }

    /** The attention output biases of the layers before {@code upTo}: written into the stream by no head. */
    private static NDArray unownedBias(TransformerWeights weights, StreamPoint upTo, NDManager scope) {
        NDArray bias = scope.zeros(new Shape(weights.lnFinalWeight().getShape().get(0)));
        for (int l : headLayers(upTo)) {
            bias = bias.add(ScopedArrays.weight(weights.block(l).outputBias(), scope));
        }
        return bias.reshape(1, 1, 1, -1);
    }
}
