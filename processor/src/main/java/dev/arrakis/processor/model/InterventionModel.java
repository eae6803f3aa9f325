package dev.arrakis.processor.model;

import dev.arrakis.annotations.AblationMethod;

/** An intervention a run method declares; mirrors the runtime's {@code Intervention}. */
public sealed interface InterventionModel {

    /**
     * {@code @Ablate}.
     *
     * @param hook the hook name as written, empty for the default
     */
    record Ablation(
            String hook,
            SelectionModel layers,
            SelectionModel heads,
            SelectionModel neurons,
            SelectionModel positions,
            AblationMethod method) implements InterventionModel {}

    /**
     * {@code @Patch}.
     *
     * @param hook the hook name as written
     */
    record Patching(
            String hook,
            SelectionModel layers,
            SelectionModel positions,
            SelectionModel heads,
            String from,
            String into) implements InterventionModel {}
}
