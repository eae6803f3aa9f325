package dev.arrakis.spec;

/**
 * The structural switches that distinguish one transformer family's block from another's: which operations exist and
 * in what order. The hook catalogue reads them (a rotary model has no {@code hook_pos_embed}, a parallel block has no
 * {@code hook_resid_mid}); the numbers those operations use (scales, soft-caps, rotary frequencies, windows) are
 * {@link Numerics}. A new family adds a value here only when its block really has a different structure.
 *
 * @param normalization how blocks and the final norm normalise the residual stream
 * @param positional how token positions enter the model
 * @param activation the MLP's non-linearity
 * @param parallelAttentionMlp attention and MLP both read the block's input (GPT-NeoX's
 *     {@code use_parallel_residual}), so there is no mid-block residual
 * @param gatedMlp the MLP multiplies an activated gate by a linear branch (LLaMA's {@code gate_proj})
 * @param postNorms attention and MLP outputs are normalised again before joining the residual (Gemma 2)
 */
public record Architecture(
        Normalization normalization,
        Positional positional,
        Activation activation,
        boolean parallelAttentionMlp,
        boolean gatedMlp,
        boolean postNorms) {

    /**
     * A sequential block with a plain MLP and no post-norms; the {@code with...} methods switch the rest on. Generated
     * runners write an architecture this way, naming every switch that is on.
     */
    public static Architecture of(Normalization normalization, Positional positional, Activation activation) {
        return new Architecture(normalization, positional, activation, false, false, false);
    }

    public Architecture withGatedMlp(boolean value) {
        return new Architecture(normalization, positional, activation, parallelAttentionMlp, value, postNorms);
    }

    /** A GPT-2-style block: LayerNorm, learned positions, sequential attention then a plain MLP. */
    public static Architecture gpt2Style(Activation activation) {
        return new Architecture(Normalization.LAYER_NORM, Positional.LEARNED, activation, false, false, false);
    }

    /** A LLaMA-style block: RMSNorm, rotary positions, sequential attention then a gated MLP. */
    public static Architecture llamaStyle(Activation activation) {
        return new Architecture(Normalization.RMS_NORM, Positional.ROTARY, activation, false, true, false);
    }

    public Architecture withNormalization(Normalization value) {
        return new Architecture(value, positional, activation, parallelAttentionMlp, gatedMlp, postNorms);
    }

    public Architecture withParallelAttentionMlp(boolean value) {
        return new Architecture(normalization, positional, activation, value, gatedMlp, postNorms);
    }

    public Architecture withPostNorms(boolean value) {
        return new Architecture(normalization, positional, activation, parallelAttentionMlp, gatedMlp, value);
    }

    public enum Normalization {
        /** Centre, divide by sqrt(variance + eps), then scale and shift. */
        LAYER_NORM,
        /** Divide by the root mean square, then scale (LLaMA and its descendants). */
        RMS_NORM
    }

    public enum Positional {
        /** A learned position-embedding table added to the token embedding ({@code hook_pos_embed}). */
        LEARNED,
        /** Queries and keys rotated by position inside attention ({@code attn.hook_rot_q}, {@code hook_rot_k}). */
        ROTARY
    }

    public enum Activation {
        /** GELU by its tanh approximation: HF's {@code gelu_new}, {@code gelu_pytorch_tanh}. */
        GELU_TANH,
        /** GELU by erf: HF's {@code gelu}. */
        GELU_EXACT,
        RELU,
        /** x * sigmoid(x), HF's {@code silu}. */
        SILU
    }
}
