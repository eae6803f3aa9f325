package dev.arrakis.plot;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A numeric scale chosen for the data: its ends {@code min} and {@code max} are multiples of a round {@code step}
 * (1, 2 or 5 times a power of ten) that cover the data, and every label is written with the same number of decimals,
 * enough for the step ({@code -0.45, -0.40, -0.35}, never {@code -6.027777471122048} or {@code .08} next to
 * {@code 0.1}). Constant data gets a range around its value so that it is drawn in the middle.
 *
 * <p>For XChart's category charts the numbers are also moved and scaled before they are handed over
 * ({@link #toChart}): XChart 3.8.8 draws a line of all-negative values at the axis maximum, computes tick labels of
 * all-positive or all-negative data as if the axis reached zero, and puts ticks at the data values themselves when
 * they happen to be equally spaced. Handing it {@code (value - baseline) * 10^-shift}, a range that has zero at the
 * baseline and spans less than 10^-4, avoids all three; {@link #label} undoes the move for the tick labels, so the
 * ticks XChart places at round numbers of its own still read as round numbers of the data.
 *
 * @param min the lower end, a multiple of {@code step}
 * @param max the upper end, a multiple of {@code step}, greater than {@code min}
 * @param step the tick spacing aimed for
 * @param decimals how many digits every label has after the decimal point
 * @param baseline the value bars grow from (0, or the end nearest 0 when the range leaves 0 out); for lines a
 *     round number inside the range
 */
record ValueAxis(double min, double max, double step, int decimals, double baseline) {

    /** About this many steps along an axis. */
    static final int TARGET_STEPS = 6;
    /**
     * Bars of one sign keep zero on the axis unless their spread is smaller than this share of their largest
     * magnitude (then the differences would be slivers): the rule spreadsheet programs use.
     */
    static final double ZOOM_FRACTION = 1.0 / 6;
    /** XChart ticks the data values when they are equally spaced, but only over a range of at least 10^-4. */
    private static final int XCHART_EQUAL_SPACING_DIGITS = 4;

    /**
     * A range around finite {@code [low, high]} for a line: the data fills it with a little room above and below so
     * that no point sits on the frame; zero need not be on it.
     */
    static ValueAxis forLine(double low, double high) {
        double room = room(low, high);
        ValueAxis axis = covering(low - room, high + room);
        return axis.withBaseline(roundestBetween(axis.min, axis.max));
    }

    /**
     * A range for bars of finite {@code [low, high]}. Bars grow from zero whenever zero is on the axis: always for
     * data of both signs, and for data of one sign unless its spread is under {@link #ZOOM_FRACTION} of its
     * magnitude (a constant keeps zero too). Otherwise the range is around the data and the bars grow from a round
     * number a little beyond the value nearest zero, so that value still has a visible bar; the chart then says where
     * bars start.
     */
    static ValueAxis forBars(double low, double high) {
        double magnitude = Math.max(Math.abs(low), Math.abs(high));
        boolean oneSign = low > 0 || high < 0;
        double room = room(low, high);
        if (!oneSign || low == high || high - low >= ZOOM_FRACTION * magnitude) {
            ValueAxis axis = covering(low < 0 ? low - room : 0, high > 0 ? high + room : 0);
            return axis.withBaseline(0);
        }
        ValueAxis axis = covering(low - room, high + room);
        BigDecimal unit = powerOfTenWithin(axis.max - axis.min);
        if (high < 0) {
            BigDecimal start = BigDecimal.valueOf(high).divide(unit, 0, RoundingMode.FLOOR).add(BigDecimal.ONE)
                    .multiply(unit);
            return new ValueAxis(axis.min, start.doubleValue(), axis.step, axis.decimals, start.doubleValue());
        }
        BigDecimal start = BigDecimal.valueOf(low).divide(unit, 0, RoundingMode.CEILING).subtract(BigDecimal.ONE)
                .multiply(unit);
        return new ValueAxis(start.doubleValue(), axis.max, axis.step, axis.decimals, start.doubleValue());
    }

    /** A range around finite {@code [low, high]}, for a colour scale: the extremes take the end colours. */
    static ValueAxis around(double low, double high) {
        ValueAxis axis = covering(low, high);
        return axis.withBaseline(axis.min);
    }

    /** Room left beyond the data: a twenty-fifth of its spread, or of its size when it is constant. */
    private static double room(double low, double high) {
        return (low == high ? Math.abs(low) : high - low) / 25;
    }

    /** The largest power of ten not above {@code span}. */
    private static BigDecimal powerOfTenWithin(double span) {
        return BigDecimal.ONE.scaleByPowerOfTen((int) Math.floor(Math.log10(span)));
    }

    /**
     * A multiple of the largest power of ten that has one in {@code [min, max]}. XChart places its ticks at round
     * steps from the baseline it is given, so a round baseline keeps its ticks at round numbers of the data.
     */
    private static double roundestBetween(double min, double max) {
        BigDecimal unit = powerOfTenWithin(max - min);
        return BigDecimal.valueOf(min).divide(unit, 0, RoundingMode.CEILING).multiply(unit).doubleValue();
    }

    private static ValueAxis covering(double low, double high) {
        if (!(Double.isFinite(low) && Double.isFinite(high) && low <= high)) {
            throw new IllegalArgumentException("an axis needs finite low <= high, got " + low + " and " + high);
        }
        if (low == high) {
            double pad = low == 0 ? 1 : Math.abs(low) / 10;
            low -= pad;
            high += pad;
        }
        BigDecimal step = roundStep((high - low) / TARGET_STEPS);
        BigDecimal min = multiple(low, step, RoundingMode.FLOOR);
        BigDecimal max = multiple(high, step, RoundingMode.CEILING);
        int decimals = Math.max(0, step.stripTrailingZeros().scale());
        return new ValueAxis(min.doubleValue(), max.doubleValue(), step.doubleValue(), decimals, 0);
    }

    private ValueAxis withBaseline(double baseline) {
        return new ValueAxis(min, max, step, decimals, baseline);
    }

    /** The smallest of 1, 2 and 5 times a power of ten that is at least {@code rough}. */
    private static BigDecimal roundStep(double rough) {
        int exponent = (int) Math.floor(Math.log10(rough));
        BigDecimal power = BigDecimal.ONE.scaleByPowerOfTen(exponent);
        for (int factor : new int[] {1, 2, 5, 10}) {
            BigDecimal step = power.multiply(BigDecimal.valueOf(factor));
            if (step.doubleValue() >= rough * (1 - 1e-12)) {
                return step;
            }
        }
        return power.multiply(BigDecimal.TEN);
    }

    private static BigDecimal multiple(double value, BigDecimal step, RoundingMode direction) {
        BigDecimal count = BigDecimal.valueOf(value).divide(step, 0, direction);
        return count.multiply(step);
    }

    /** The label of a value on this axis: fixed decimals, no exponent, no {@code -0}. */
    String label(double value) {
        return format(value, decimals);
    }

    /** {@code value} with exactly {@code decimals} digits after the point, no exponent, no {@code -0}. */
    static String format(double value, int decimals) {
        String text = String.format(Locale.ROOT, "%." + decimals + "f", value);
        return text.matches("-0(\\.0*)?") ? text.substring(1) : text;
    }

    /** The round values from {@code min} to {@code max}, {@code step} apart. */
    List<Double> ticks() {
        List<Double> ticks = new ArrayList<>();
        BigDecimal stepExact = BigDecimal.valueOf(step);
        BigDecimal end = BigDecimal.valueOf(max);
        for (BigDecimal value = BigDecimal.valueOf(min); value.compareTo(end) <= 0; value = value.add(stepExact)) {
            ticks.add(value.doubleValue());
        }
        return ticks;
    }

    // ----- the moved and scaled numbers XChart's category charts are given -----

    /** The power of ten the moved values are divided by so that the whole range spans under 10^-4. */
    private int shift() {
        return (int) Math.floor(Math.log10(max - min)) + 1 + XCHART_EQUAL_SPACING_DIGITS;
    }

    /** {@code value} as handed to XChart. */
    double toChart(double value) {
        return new BigDecimal(value - baseline).scaleByPowerOfTen(-shift()).doubleValue();
    }

    /** The value of a position XChart reports (a tick), the inverse of {@link #toChart}. */
    double fromChart(double chartValue) {
        return new BigDecimal(chartValue).scaleByPowerOfTen(shift()).doubleValue() + baseline;
    }

    /** A tick label for a position XChart reports. */
    String chartLabel(double chartValue) {
        return label(fromChart(chartValue));
    }
}
