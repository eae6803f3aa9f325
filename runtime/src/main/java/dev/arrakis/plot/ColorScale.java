package dev.arrakis.plot;

import java.awt.Color;

/**
 * How a heatmap maps numbers to colours: evenly spaced colour stops, interpolated linearly, from {@code min} to
 * {@code max}; values beyond either end take the end's colour. Data-driven ends are round numbers just outside the
 * data.
 *
 * @param name what the scale is, for the SVG description
 * @param stops the colours from {@code min} to {@code max}
 * @param min the value drawn in the first colour
 * @param max the value drawn in the last colour
 * @param decimals the digits after the decimal point of every label on the colour bar
 */
record ColorScale(String name, Color[] stops, double min, double max, int decimals) {

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
     * {@code ±bound} when they have both signs, so that zero is white; sequential viridis otherwise. The ends are
     * round numbers just covering the data ({@link ValueAxis}), so that data of a tiny range still spans the colours.
     */
    static ColorScale forValues(double low, double high) {
        if (low < 0 && high > 0) {
            ValueAxis bound = ValueAxis.around(0, Math.max(-low, high));
            return new ColorScale("diverging blue-white-red, symmetric about zero", BLUE_WHITE_RED, -bound.max(),
                    bound.max(), bound.decimals());
        }
        ValueAxis axis = ValueAxis.around(low, high);
        return new ColorScale("sequential viridis", VIRIDIS, axis.min(), axis.max(), axis.decimals());
    }

    /** A value as the colour bar and the SVG description write it: the scale's number of decimals. */
    String label(double value) {
        return ValueAxis.format(value, decimals);
    }

    /** Attention weights: white at 0 to dark blue at 1, whatever the data. */
    static ColorScale forAttention() {
        return new ColorScale("sequential white-blue, attention weight 0 to 1", WHITE_BLUE, 0, 1, 0);
    }

    private static Color[] colors(int... rgb) {
        Color[] colors = new Color[rgb.length];
        for (int i = 0; i < rgb.length; i++) {
            colors[i] = new Color(rgb[i]);
        }
        return colors;
    }
}
