package dev.arrakis.plot;

import java.awt.Color;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * How a heatmap maps numbers to colours: evenly spaced colour stops, interpolated linearly, from {@code min} to
 * {@code max}; values beyond either end take the end's colour. Data-driven ends are rounded outward to two
 * significant digits.
 *
 * @param name what the scale is, for the SVG description
 * @param stops the colours from {@code min} to {@code max}
 * @param min the value drawn in the first colour
 * @param max the value drawn in the last colour
 */
record ColorScale(String name, Color[] stops, double min, double max) {

    /** ColorBrewer RdBu, blue for negative, pure white in the middle stop so that zero is white. */
    static final Color[] BLUE_WHITE_RED = colors(0x2166AC, 0x4393C3, 0x92C5DE, 0xD1E5F0, 0xFFFFFF, 0xFDDBC7, 0xF4A582,
            0xD6604D, 0xB2182B);
    /** Viridis, perceptually uniform and readable in grey scale and by colour-blind readers. */
    static final Color[] VIRIDIS = colors(0x440154, 0x472D7B, 0x3B528B, 0x2C728E, 0x21918C, 0x28AE80, 0x5EC962,
            0xADDC30, 0xFDE725);
    /** ColorBrewer Blues from white, so that no attention is blank paper. */
    static final Color[] WHITE_BLUE = colors(0xFFFFFF, 0xDEEBF7, 0xC6DBEF, 0x9ECAE1, 0x6BAED6, 0x4292C6, 0x2171B5,
            0x08519C, 0x08306B);

    ColorScale {
        stops = stops.clone();
    }

    @Override
    public Color[] stops() {
        return stops.clone();
    }

    /**
     * The scale for a heatmap whose finite values span {@code [low, high]}: diverging blue–white–red over
     * {@code ±max|v|} when they have both signs, so that zero is white; sequential viridis over {@code [low, high]}
     * otherwise.
     */
    static ColorScale forValues(double low, double high) {
        if (low < 0 && high > 0) {
            double bound = round(Math.max(-low, high), RoundingMode.CEILING);
            return new ColorScale("diverging blue-white-red, symmetric about zero", BLUE_WHITE_RED, -bound, bound);
        }
        if (low == high) {
            double pad = low == 0 ? 1 : Math.abs(low) / 2;
            low -= pad;
            high += pad;
        }
        return new ColorScale("sequential viridis", VIRIDIS, round(low, RoundingMode.FLOOR),
                round(high, RoundingMode.CEILING));
    }

    /**
     * Two significant digits, rounded outward so the scale still covers the data. XChart labels the colour bar with
     * the ends' plain {@code toString}, so this keeps {@code 11.997293172876134} off the legend.
     */
    static double round(double value, RoundingMode direction) {
        return value == 0 ? 0 : new BigDecimal(value).round(new MathContext(2, direction)).doubleValue();
    }

    /** Attention weights: white at 0 to dark blue at 1, whatever the data. */
    static ColorScale forAttention() {
        return new ColorScale("sequential white-blue, attention weight 0 to 1", WHITE_BLUE, 0, 1);
    }

    private static Color[] colors(int... rgb) {
        Color[] colors = new Color[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            colors[i] = new Color(rgb[i]);
        }
        return colors;
    }
}
