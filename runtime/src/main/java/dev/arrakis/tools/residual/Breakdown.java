package dev.arrakis.tools.residual;

/** How {@link ResidualStream#stack} cuts the residual stream into components, after TransformerLens's cache API. */
public enum Breakdown {
    /** The stream itself before each block, {@code 0_pre .. final_post} (TL {@code accumulated_resid}). */
    ACCUMULATED,
    /** As {@link #ACCUMULATED} with each block's {@code resid_mid} too (TL {@code incl_mid=True}). */
    ACCUMULATED_WITH_MID,
    /**
     * What wrote into the stream: {@code embed}, {@code pos_embed}, each {@code {l}_attn_out} and
     * {@code {l}_mlp_out} (TL {@code decompose_resid}); sums exactly to the stream.
     */
    LAYERS,
    /**
     * Each head's output {@code L{l}H{h}} and a {@code remainder} that makes the sum exact (TL
     * {@code stack_head_results(incl_remainder=True)}).
     */
    HEADS,
    /**
     * Each head, each {@code {l}_mlp_out}, {@code embed}, {@code pos_embed} and {@code bias}, the attention output
     * biases no head owns (TL {@code get_full_resid_decomposition(expand_neurons=False)}); sums exactly to the stream.
     */
    HEADS_AND_MLPS
}
