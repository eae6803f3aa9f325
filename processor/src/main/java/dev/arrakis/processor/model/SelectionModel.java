package dev.arrakis.processor.model;

import java.util.List;

/**
 * The indices one attribute of an intervention selects; mirrors the runtime's {@code Selection}.
 *
 * @param values the indices as written, empty when none are given or when {@code all} is set
 * @param all written {@code Sweep.ALL}: every valid index, one run each
 * @param swept one run per index
 */
public record SelectionModel(List<Integer> values, boolean all, boolean swept) {

    public SelectionModel {
        values = List.copyOf(values);
    }

    public static SelectionModel none() {
        return new SelectionModel(List.of(), false, false);
    }

    public boolean isGiven() {
        return all || !values.isEmpty();
    }
}
