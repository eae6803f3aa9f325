package dev.arrakis.experiment;

import java.util.List;

/**
 * One swept attribute of a run: its name ({@code layer}, {@code head}, {@code neuron} or {@code position}) and the
 * indices it took, in order.
 */
public record SweepAxis(String name, List<Integer> values) {

    public SweepAxis {
        values = List.copyOf(values);
    }

    public int size() {
        return values.size();
    }
}
