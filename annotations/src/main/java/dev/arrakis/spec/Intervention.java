package dev.arrakis.spec;

import dev.arrakis.annotations.AblationMethod;

/** A change to the forward pass that a run method declares. */
public sealed interface Intervention {

    /**
     * {@code @Ablate}: replace heads, neurons or a whole activation.
     *
     * @param hook the hook name as written (full or block-relative), or empty for the default
     *     ({@code attn.hook_z} with heads, {@code mlp.hook_post} with neurons)
     */
    record Ablation(
            String hook,
            Selection layers,
            Selection heads,
            Selection neurons,
            Selection positions,
            AblationMethod method) implements Intervention {}

    /**
     * {@code @Patch}: write the activation of the {@code from} input's run into the {@code into} input's run.
     *
     * @param hook the hook name as written (full or block-relative)
     */
    record Patching(
            String hook,
            Selection layers,
            Selection positions,
            Selection heads,
            String from,
            String into) implements Intervention {}
}
