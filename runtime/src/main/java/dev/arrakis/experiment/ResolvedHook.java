package dev.arrakis.experiment;

import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;

/**
 * An intervention's hook as written, checked against the model: either a full name, or a name inside each block of
 * the intervention's layers.
 *
 * @param written the name as written (or the default, {@code attn.hook_z} or {@code mlp.hook_post})
 * @param blockRelative whether it names a point inside each block
 * @param sample the hook point itself, or for a block-relative name its point in block 0 (same axes in every block)
 */
record ResolvedHook(String written, boolean blockRelative, HookPoint sample) {

    /** The full hook name in that layer; a full name ignores the layer, as {@code @Ablate(layer)} documents. */
    String fullName(int layer) {
        return blockRelative ? "blocks." + layer + "." + written : written;
    }

    /** The head axis the point has ({@link Dim#HEAD} or {@link Dim#KV_HEAD}), or null. */
    Dim headDim() {
        return sample.dims().contains(Dim.HEAD) ? Dim.HEAD : sample.dims().contains(Dim.KV_HEAD) ? Dim.KV_HEAD : null;
    }

    /** The sequence axis the point has ({@link Dim#POS}, or {@link Dim#QUERY_POS} for scores and pattern), or null. */
    Dim positionDim() {
        return sample.dims().contains(Dim.POS) ? Dim.POS : sample.dims().contains(Dim.QUERY_POS) ? Dim.QUERY_POS : null;
    }
}
