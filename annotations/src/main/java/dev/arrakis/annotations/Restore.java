package dev.arrakis.annotations;

/** What causal tracing puts back from the clean run at each (layer, position) of its grid. */
public enum Restore {
    /** The hidden state a block writes: {@code blocks.{l}.hook_resid_post}, at that one layer. */
    RESIDUAL,
    /** The MLP's output {@code blocks.{l}.hook_mlp_out}, at every layer of a window centred on the layer. */
    MLP,
    /** The attention output {@code blocks.{l}.hook_attn_out}, at every layer of a window centred on the layer. */
    ATTENTION
}
