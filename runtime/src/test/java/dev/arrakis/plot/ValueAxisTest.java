package dev.arrakis.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValueAxisTest {

    @Test
    void labelsHaveTheStepsDecimalsAndNoNegativeZero() {
        ValueAxis axis = ValueAxis.forLine(-0.41, -0.016);
        // Spread 0.394, widened by 0.01576 each way, step near a sixth of it: 0.1.
        assertEquals(List.of(-0.5, -0.4, -0.3, -0.2, -0.1, 0.0), axis.ticks(), "ticks of " + axis);
        assertEquals("-0.3", axis.label(-0.30000000000000004), "a rounding error is not shown");
        assertEquals("0.0", axis.label(-0.0), "no -0");
        assertEquals("0.0", axis.label(-1e-17), "no -0 from a rounding error either");
        assertEquals("-6.0", axis.label(-6.027777471122048), "one decimal, as the step has");
    }

    @Test
    void aTinyRangeGetsEnoughDecimalsToTellItsTicksApart() {
        ValueAxis axis = ValueAxis.around(1.0000001, 1.0000003);
        // Spread 2e-7 / 6 = 3.3e-8, rounded up to 5e-8: eight decimals.
        assertEquals(5e-8, axis.step(), 1e-20, "step of " + axis);
        assertEquals(List.of("1.00000010", "1.00000015", "1.00000020", "1.00000025", "1.00000030"),
                axis.ticks().stream().map(axis::label).toList(), "labels of " + axis);
    }

    @Test
    void barsKeepZeroUnlessTheirSpreadIsASliverOfTheirSize() {
        ValueAxis wide = ValueAxis.forBars(1, 3);
        assertEquals(0, wide.baseline(), "spread 2 of 3 is over a sixth: bars from zero, " + wide);
        assertEquals(0, wide.min(), "the axis starts at zero: " + wide);

        ValueAxis logProbs = ValueAxis.forBars(-3.4, -3.1);
        // Spread 0.3 under 3.4 / 6: zoomed, bars from -3.0, the multiple of 0.1 just above -3.1.
        assertEquals(-3.0, logProbs.baseline(), "baseline of " + logProbs);
        assertEquals(-3.0, logProbs.max(), "top of " + logProbs);
        assertEquals(-3.5, logProbs.min(), "bottom of " + logProbs);

        ValueAxis constant = ValueAxis.forBars(-2, -2);
        assertEquals(0, constant.baseline(), "constant bars start at zero: " + constant);
    }

    @Test
    void chartValuesRoundTrip() {
        ValueAxis axis = ValueAxis.forLine(-3.4, -3.1);
        for (double value : new double[] {-3.4, -3.25, -3.1}) {
            double chart = axis.toChart(value);
            assertEquals(value, axis.fromChart(chart), 1e-12, "value " + value + " via " + chart);
        }
        double span = axis.toChart(axis.max()) - axis.toChart(axis.min());
        assertEquals(true, span > 0 && span < 1e-4, "the chart's range " + span + " is under XChart's 1e-4");
    }

    @Test
    void nonFiniteEndsAreRefused() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> ValueAxis.around(Double.NaN, 1));
        assertEquals("an axis needs finite low <= high, got NaN and 1.0", error.getMessage());
    }
}
