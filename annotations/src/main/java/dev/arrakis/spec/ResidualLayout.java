package dev.arrakis.spec;

import dev.arrakis.annotations.Breakdown;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;

/**
 * Which cached activations a residual stack is made of, for each {@link Breakdown}: the one description that the
 * runtime reads the stack by and the annotation processor caches by, so an experiment caches exactly what its stack
 * reads. Per-head outputs are read from {@code attn.hook_z} (and {@code W_O}), never from the costly opt-in
 * {@code hook_result}.
 */
public final class ResidualLayout {
    private ResidualLayout() {}

    /** A component cached whole at one hook point, and the label TransformerLens gives it. */
    public record Part(String label, HookPoint hook) {}

    /**
     * Why the stream of this model cannot be cut this way up to that point, or empty when it can: the point must
     * exist ({@link StreamPoint#problem}); head outputs do not add up to the stream where post-norms rescale them; a
     * parallel block has no {@code resid_mid}.
     */
    public static Optional<Problem> problem(ModelConfig config, Breakdown breakdown, StreamPoint upTo) {
        Optional<Problem> point = upTo.problem(config);
        if (point.isPresent()) {
            return point;
        }
        boolean byHead = breakdown == Breakdown.HEADS || breakdown == Breakdown.HEADS_AND_MLPS;
        if (byHead && config.architecture().postNorms()) {
            return Optional.of(Problem.of(Message.BREAKDOWN, config.modelType(), breakdown,
                    "it normalises each attention output again (ln1_post) before it joins the stream, so head"
                            + " outputs do not add up to it", Breakdown.LAYERS));
        }
        if (breakdown == Breakdown.ACCUMULATED_WITH_MID && config.architecture().parallelAttentionMlp()) {
            return Optional.of(Problem.of(Message.BREAKDOWN, config.modelType(), breakdown,
                    "attention and MLP run in parallel, so there is no resid_mid", Breakdown.ACCUMULATED));
        }
        return Optional.empty();
    }

    /** Every hook point a pass must cache for the stack, without repeats; the request must be valid. */
    public static List<HookPoint> requiredHooks(HookPoints points, Breakdown breakdown, StreamPoint upTo) {
        LinkedHashSet<HookPoint> hooks = new LinkedHashSet<>();
        switch (breakdown) {
            case ACCUMULATED, ACCUMULATED_WITH_MID -> accumulatedParts(points, upTo,
                    breakdown == Breakdown.ACCUMULATED_WITH_MID).forEach(part -> hooks.add(part.hook()));
            case LAYERS -> layerParts(points, upTo).forEach(part -> hooks.add(part.hook()));
            case HEADS -> {
                headLayers(upTo).forEach(l -> hooks.add(points.block(l).z()));
                hooks.add(upTo.residualHook(points));
            }
            case HEADS_AND_MLPS -> {
                headLayers(upTo).forEach(l -> hooks.add(points.block(l).z()));
                mlpLayers(upTo).forEach(l -> hooks.add(points.block(l).mlpOut()));
                embeddingParts(points).forEach(part -> hooks.add(part.hook()));
            }
        }
        return List.copyOf(hooks);
    }

    /** The stream before each block up to {@code upTo}, the end included: {@code 0_pre, 0_mid, .., final_post}. */
    public static List<Part> accumulatedParts(HookPoints points, StreamPoint upTo, boolean includeMid) {
        int layers = points.config().layers();
        List<Part> parts = new ArrayList<>();
        for (int l = 0; l <= upTo.layer(); l++) {
            if (l == layers) {
                parts.add(new Part("final_post", points.block(layers - 1).residPost()));
                continue;
            }
            parts.add(new Part(l + "_pre", points.block(l).residPre()));
            if ((includeMid && l < upTo.layer()) || (upTo.mlpInput() && l == upTo.layer())) {
                parts.add(new Part(l + "_mid", points.block(l).residMid()));
            }
        }
        return parts;
    }

    /** The token embedding and, with learned positions, the position embedding. */
    public static List<Part> embeddingParts(HookPoints points) {
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("embed", points.embed()));
        if (points.posEmbed() != null) {
            parts.add(new Part("pos_embed", points.posEmbed()));
        }
        return parts;
    }

    /** The embeddings and each attention and MLP output written before {@code upTo}. */
    public static List<Part> layerParts(HookPoints points, StreamPoint upTo) {
        List<Part> parts = embeddingParts(points);
        for (int l = 0; l < upTo.layer(); l++) {
            parts.add(new Part(l + "_attn_out", points.block(l).attnOut()));
            parts.add(new Part(l + "_mlp_out", points.block(l).mlpOut()));
        }
        if (upTo.mlpInput()) {
            parts.add(new Part(upTo.layer() + "_attn_out", points.block(upTo.layer()).attnOut()));
        }
        return parts;
    }

    /** The layers whose heads have written into the stream by {@code upTo}. */
    public static List<Integer> headLayers(StreamPoint upTo) {
        return IntStream.range(0, upTo.layer() + (upTo.mlpInput() ? 1 : 0)).boxed().toList();
    }

    /** The layers whose MLPs have written into the stream by {@code upTo}. */
    public static List<Integer> mlpLayers(StreamPoint upTo) {
        return IntStream.range(0, upTo.layer()).boxed().toList();
    }
}
