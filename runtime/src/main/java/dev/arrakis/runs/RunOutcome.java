package dev.arrakis.runs;

import dev.arrakis.ArrakisException;
import dev.arrakis.plot.PlotRequest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The result of one run: the sweep's axes and the run method's result at every point, row-major over the axes (the
 * first axis varies slowest). Results are plain Java values: numbers, {@link ArrayValue}s for arrays and
 * activations, or whatever else the method returned.
 */
public final class RunOutcome {
    private final RunRecord record;
    private final List<SweepAxis> axes;
    private final List<Object> values;
    private final PlotRequest plot;

    /** What the engine hands back when a run ends; {@code values} row-major over {@code axes}. */
    public RunOutcome(RunRecord record, List<SweepAxis> axes, List<Object> values, PlotRequest plot) {
        this.record = record;
        this.axes = List.copyOf(axes);
        this.values = Collections.unmodifiableList(new ArrayList<>(values));
        this.plot = plot;
    }

    public String experiment() {
        return record.experiment();
    }

    public String run() {
        return record.run();
    }

    /** Whether every point ran, or a stop ended the run early. */
    public RunStatus status() {
        return record.status();
    }

    /** How many points have results: {@link #points()} unless the run was interrupted. */
    public int completedPoints() {
        return record.completedPoints();
    }

    /** The swept axes in order; empty when the run had one point. */
    public List<SweepAxis> axes() {
        return axes;
    }

    /**
     * One result per point, row-major; an entry is null where the method returned nothing or an interrupted run did
     * not get to.
     */
    public List<Object> values() {
        return values;
    }

    public int points() {
        return values.size();
    }

    /** The result of a run with exactly one point. */
    public Object value() {
        if (values.size() != 1) {
            throw new ArrakisException("run " + run() + " has " + values.size() + " points; read values(), vector()"
                    + " or grid()");
        }
        return values.get(0);
    }

    /** A point's value on each swept axis, by axis name in axis order, e.g. {@code {layer=1, head=3}}. */
    public Map<String, Integer> coordinates(int point) {
        if (point < 0 || point >= values.size()) {
            throw new IndexOutOfBoundsException("point " + point + " of a run with " + values.size() + " points");
        }
        return SweepAxis.coordinates(axes, point);
    }

    /** The result at one point, one index into each axis's values. */
    public Object valueAt(int... axisIndices) {
        if (axisIndices.length != axes.size()) {
            throw new ArrakisException("run " + run() + " has " + axes.size() + " axes; got " + axisIndices.length
                    + " indices");
        }
        int flat = 0;
        for (int axis = 0; axis < axes.size(); axis++) {
            int size = axes.get(axis).size();
            if (axisIndices[axis] < 0 || axisIndices[axis] >= size) {
                throw new IndexOutOfBoundsException("index " + axisIndices[axis] + " on axis "
                        + axes.get(axis).name() + " of size " + size);
            }
            flat = flat * size + axisIndices[axis];
        }
        return values.get(flat);
    }

    /** Every point's result as a number, row-major; every result must be a number. */
    public double[] vector() {
        double[] numbers = new double[values.size()];
        for (int i = 0; i < numbers.length; i++) {
            if (!(values.get(i) instanceof Number number)) {
                throw new ArrakisException("run " + run() + " returned " + describe(values.get(i)) + " at point " + i
                        + ", not a number");
            }
            numbers[i] = number.doubleValue();
        }
        return numbers;
    }

    /** The numbers of a two-axis sweep as {@code [first axis][second axis]}. */
    public double[][] grid() {
        if (axes.size() != 2) {
            throw new ArrakisException("run " + run() + " sweeps " + axes.size() + " axes; a grid needs two");
        }
        double[] flat = vector();
        int columns = axes.get(1).size();
        double[][] grid = new double[axes.get(0).size()][columns];
        for (int row = 0; row < grid.length; row++) {
            System.arraycopy(flat, row * columns, grid[row], 0, columns);
        }
        return grid;
    }

    /** The resolved plot, when the run has {@code @Plot} and a result that can be drawn. */
    public Optional<PlotRequest> plot() {
        return Optional.ofNullable(plot);
    }

    /** The record the runner made of this run (handed to the run sink when the run is logged). */
    public RunRecord record() {
        return record;
    }

    private static String describe(Object value) {
        return value == null ? "nothing" : value.getClass().getSimpleName();
    }

    @Override
    public String toString() {
        return experiment() + "." + run() + " " + axes + " " + values.size() + " points";
    }
}
