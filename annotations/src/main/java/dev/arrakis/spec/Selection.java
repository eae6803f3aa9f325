package dev.arrakis.spec;

import java.util.List;

/**
 * The indices one attribute of an intervention selects (layers, heads, neurons, positions).
 *
 * @param values the indices, empty for "not given" or when {@code all} is set
 * @param all every valid index (written {@code Sweep.ALL}, {@link #everyIndex()}); always swept
 * @param swept one run per index instead of all indices together
 */
public record Selection(List<Integer> values, boolean all, boolean swept) {

    public Selection {
        values = List.copyOf(values);
        if (all && (!values.isEmpty() || !swept)) {
            throw new IllegalArgumentException("Sweep.ALL is swept and lists no values");
        }
    }

    /** The attribute was not given. */
    public static Selection none() {
        return new Selection(List.of(), false, false);
    }

    /** These indices together, in one run. */
    public static Selection of(int... values) {
        return new Selection(boxed(values), false, false);
    }

    /** One run per index. */
    public static Selection sweep(int... values) {
        return new Selection(boxed(values), false, true);
    }

    /** One run per valid index. */
    public static Selection everyIndex() {
        return new Selection(List.of(), true, true);
    }

    public boolean isGiven() {
        return all || !values.isEmpty();
    }

    private static List<Integer> boxed(int[] values) {
        return java.util.Arrays.stream(values).boxed().toList();
    }
}
