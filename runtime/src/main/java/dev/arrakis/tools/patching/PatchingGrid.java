package dev.arrakis.tools.patching;

/**
 * The grids activation patching is usually run on (TransformerLens's {@code get_act_patch_*}), which attribution
 * patching estimates all at once.
 */
public enum PatchingGrid {
    /** {@code hook_resid_pre}, layer × position. */
    RESID_PRE("hook_resid_pre", false, true),
    /** {@code hook_attn_out}, layer × position. */
    ATTN_OUT("hook_attn_out", false, true),
    /** {@code hook_mlp_out}, layer × position. */
    MLP_OUT("hook_mlp_out", false, true),
    /** Each head's output {@code attn.hook_z}, layer × head (every position together). */
    HEAD_OUT("attn.hook_z", true, false),
    /** Each head's output {@code attn.hook_z}, layer × head × position. */
    HEAD_OUT_BY_POSITION("attn.hook_z", true, true);

    private final String hook;
    private final boolean byHead;
    private final boolean byPosition;

    PatchingGrid(String hook, boolean byHead, boolean byPosition) {
        this.hook = hook;
        this.byHead = byHead;
        this.byPosition = byPosition;
    }

    /** The hook point inside each block. */
    public String hook() {
        return hook;
    }

    public boolean byHead() {
        return byHead;
    }

    public boolean byPosition() {
        return byPosition;
    }
}
