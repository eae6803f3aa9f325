package dev.arrakis.model;

/**
 * The switches that distinguish one transformer family's forward pass from another's. One forward implementation
 * reads these; a new family adds a value here only when its maths really differs.
 *
 * @param normalization how blocks and the final norm normalise the residual stream
 * @param positional how token positions enter the model
 * @param activation the MLP's non-linearity
 * @param scaleAttentionByHeadDim divide attention scores by sqrt(d_head) (GPT-2's {@code scale_attn_weights})
 * @param scaleAttentionByInverseLayer also divide layer l's scores by l + 1 (GPT-2's
 *     {@code scale_attn_by_inverse_layer_idx})
 */
public record Architecture(
        Normalization normalization,
        Positional positional,
        Activation activation,
        boolean scaleAttentionByHeadDim,
        boolean scaleAttentionByInverseLayer) {

    public enum Normalization {
        /** Centre, divide by sqrt(variance + eps), then scale and shift. */
        LAYER_NORM
    }

    public enum Positional {
        /** A learned position-embedding table added to the token embedding ({@code hook_pos_embed}). */
        LEARNED
    }

    public enum Activation {
        /** GELU by its tanh approximation: HF's {@code gelu_new}, {@code gelu_pytorch_tanh}. */
        GELU_TANH,
        /** GELU by erf: HF's {@code gelu}. */
        GELU_EXACT,
        RELU
    }
}
