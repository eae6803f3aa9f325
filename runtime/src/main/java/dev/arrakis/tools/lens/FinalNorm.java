package dev.arrakis.tools.lens;

/**
 * How an intermediate residual is put through the final norm before the unembedding. The two agree at the last layer,
 * where both give the model's own logits.
 */
public enum FinalNorm {
    /**
     * Divide by the scale {@code ln_final} computed on the model's real final residual ({@code ln_final.hook_scale}),
     * then apply its weight and bias: linear in the residual, so contributions add up. TransformerLens's default for
     * direct logit attribution ({@code apply_ln_to_stack}).
     */
    CACHED_SCALE,
    /**
     * Recompute {@code ln_final} on each layer's residual as if it were the last: the logit lens proper
     * (nostalgebraist 2020; TransformerLens's {@code accumulated_resid(apply_ln=True)}).
     */
    RECOMPUTED
}
