package dev.arrakis.spec;

import java.util.List;

/**
 * The numbers a family's forward pass uses beyond its shape and {@link Architecture}: how attention scores are
 * scaled and capped, how positions rotate queries and keys, which layers see only a window of keys, and how the
 * embedding and the logits are scaled. They change activations, not which hook points exist, so build-time
 * validation ignores them.
 *
 * @param attentionScale what query-key dot products are divided by (TransformerLens's {@code attn_scale}):
 *     sqrt(d_head) for most families, 1 for GPT-Neo, sqrt({@code query_pre_attn_scalar}) for Gemma 2
 * @param scaleAttentionByInverseLayer also divide layer l's scores by l + 1 (GPT-2's
 *     {@code scale_attn_by_inverse_layer_idx})
 * @param attentionSoftcap scores become {@code cap * tanh(scores / cap)} before masking; 0 for none (Gemma 2)
 * @param finalLogitSoftcap the same for the logits; 0 for none (Gemma 2)
 * @param embeddingMultiplier the token embedding is multiplied by this before entering the residual stream
 *     (sqrt(d_model) for Gemma, 1 elsewhere)
 * @param rotary the rotary embedding, or null when positions are learned
 * @param attentionWindows per layer, how many keys a query sees counting itself (a sliding window), or 0 for all
 *     earlier keys
 */
public record Numerics(
        double attentionScale,
        boolean scaleAttentionByInverseLayer,
        double attentionSoftcap,
        double finalLogitSoftcap,
        double embeddingMultiplier,
        Rotary rotary,
        List<Integer> attentionWindows) {

    public Numerics {
        attentionWindows = List.copyOf(attentionWindows);
        if (!(attentionScale > 0) || attentionSoftcap < 0 || finalLogitSoftcap < 0 || !(embeddingMultiplier > 0)) {
            throw new IllegalArgumentException("attention scale and embedding multiplier must be positive and caps "
                    + "non-negative: " + attentionScale + ", " + embeddingMultiplier + ", " + attentionSoftcap
                    + ", " + finalLogitSoftcap);
        }
        if (attentionWindows.stream().anyMatch(window -> window < 0)) {
            throw new IllegalArgumentException("attention windows must be 0 (global) or positive: " + attentionWindows);
        }
    }

    /** Scores divided by sqrt(d_head), no caps, no windows, no embedding scale: GPT-2 and most families. */
    public static Numerics standard(int layers, int dHead, Rotary rotary) {
        return new Numerics(Math.sqrt(dHead), false, 0, 0, 1, rotary, globalAttention(layers));
    }

    private static List<Integer> globalAttention(int layers) {
        return java.util.Collections.nCopies(layers, 0);
    }

    /** The window of layer {@code layer}, 0 for global attention. */
    public int attentionWindow(int layer) {
        return attentionWindows.get(layer);
    }

    public Numerics withAttentionScale(double value) {
        return new Numerics(value, scaleAttentionByInverseLayer, attentionSoftcap, finalLogitSoftcap,
                embeddingMultiplier, rotary, attentionWindows);
    }

    public Numerics withScaleAttentionByInverseLayer(boolean value) {
        return new Numerics(attentionScale, value, attentionSoftcap, finalLogitSoftcap, embeddingMultiplier, rotary,
                attentionWindows);
    }

    public Numerics withSoftcaps(double attention, double finalLogits) {
        return new Numerics(attentionScale, scaleAttentionByInverseLayer, attention, finalLogits, embeddingMultiplier,
                rotary, attentionWindows);
    }

    public Numerics withEmbeddingMultiplier(double value) {
        return new Numerics(attentionScale, scaleAttentionByInverseLayer, attentionSoftcap, finalLogitSoftcap, value,
                rotary, attentionWindows);
    }

    public Numerics withAttentionWindows(List<Integer> value) {
        return new Numerics(attentionScale, scaleAttentionByInverseLayer, attentionSoftcap, finalLogitSoftcap,
                embeddingMultiplier, rotary, value);
    }
}
