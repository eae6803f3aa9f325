package dev.arrakis.tools.residual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.annotations.Breakdown;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ResidualLayout.Part;
import dev.arrakis.spec.ResidualLayout;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.tools.ScopedArrays;
import java.util.ArrayList;
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

    /**
     * The hooks a pass must cache for {@link #stack} to cut the stream this way up to {@code upTo}, as the annotation
     * processor caches them for a {@code @StackResidual} parameter ({@link ResidualLayout#requiredHooks}).
     */
    public static List<String> requiredHooks(HookPoints points, Breakdown breakdown, StreamPoint upTo) {
        check(points.config(), breakdown, upTo);
        return ResidualLayout.requiredHooks(points, breakdown, upTo).stream().map(HookPoint::name).toList();
    }

    /** The hook {@link #applyCachedNorm} divides by at that point ({@code ln1}, {@code ln2} or {@code ln_final}). */
    public static String normScaleHook(HookPoints points, StreamPoint at) {
        check(points.config(), Breakdown.ACCUMULATED, at);
        return at.normScaleHook(points).name();
    }

    /** The stream cut as {@code breakdown} says, up to the end of the model. */
    public static ResidualStack stack(HookedTransformer model, ActivationCache cache, Breakdown breakdown,
            NDManager manager) {
        return stack(model, cache, breakdown, StreamPoint.end(model.config()), manager);
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
        check(model.config(), breakdown, upTo);
        try (NDManager scope = manager.newSubManager()) {
            List<String> labels = new ArrayList<>();
            NDList parts = new NDList();
            switch (breakdown) {
                case ACCUMULATED, ACCUMULATED_WITH_MID -> addCached(cache, ResidualLayout.accumulatedParts(points,
                        upTo, breakdown == Breakdown.ACCUMULATED_WITH_MID), labels, parts, scope);
                case LAYERS -> addCached(cache, ResidualLayout.layerParts(points, upTo), labels, parts, scope);
                case HEADS -> {
                    addHeads(model, cache, upTo, labels, parts, scope);
                    NDArray residual = ScopedArrays.view(cache.get(upTo.residualHook(points).name()), scope);
                    NDArray remainder = parts.isEmpty() ? residual
                            : residual.sub(NDArrays.concat(parts, 0).sum(new int[] {0}));
                    labels.add("remainder");
                    parts.add(remainder.expandDims(0));
                }
                case HEADS_AND_MLPS -> {
                    addHeads(model, cache, upTo, labels, parts, scope);
                    List<Part> mlps = new ArrayList<>();
                    ResidualLayout.mlpLayers(upTo).forEach(l -> mlps.add(new Part(l + "_mlp_out",
                            points.block(l).mlpOut())));
                    addCached(cache, mlps, labels, parts, scope);
                    addCached(cache, ResidualLayout.embeddingParts(points), labels, parts, scope);
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
            NDArray scale = ScopedArrays.view(cache.get(normScaleHook(points, at)), scope);
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

    /** Refuses a stack the model cannot give, with the words the build uses for a {@code @StackResidual} parameter. */
    private static void check(ModelConfig config, Breakdown breakdown, StreamPoint upTo) {
        ResidualLayout.problem(config, breakdown, upTo).ifPresent(problem -> {
            throw new ResidualStreamException(problem.text());
        });
    }

    private static void addCached(ActivationCache cache, List<Part> parts, List<String> labels, NDList arrays,
            NDManager scope) {
        for (Part part : parts) {
            labels.add(part.label());
            arrays.add(ScopedArrays.view(cache.get(part.hook().name()), scope).expandDims(0));
        }
    }

    /** Each head's output {@code [head, batch, pos, d_model]} per layer, labelled {@code L{l}H{h}}. */
    private static void addHeads(HookedTransformer model, ActivationCache cache, StreamPoint upTo,
            List<String> labels, NDList arrays, NDManager scope) {
        HookPoints points = model.hookPoints();
        for (int l : ResidualLayout.headLayers(upTo)) {
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
        for (int l : ResidualLayout.headLayers(upTo)) {
            bias = bias.add(ScopedArrays.weight(weights.block(l).outputBias(), scope));
        }
        return bias.reshape(1, 1, 1, -1);
    }
}
