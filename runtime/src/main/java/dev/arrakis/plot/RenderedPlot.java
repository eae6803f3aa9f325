package dev.arrakis.plot;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files a {@link PlotRenderer} wrote for one request: one PNG and one SVG per panel, in panel order.
 *
 * @param images one entry per panel, at least one
 */
public record RenderedPlot(List<Image> images) {

    public RenderedPlot {
        images = List.copyOf(images);
    }

    /**
     * One panel's picture.
     *
     * @param panelTitle the panel's title ({@code layer=3}), empty for a single panel
     * @param png the raster file
     * @param svg the vector file
     * @param width the picture's width in pixels, the same in both files
     * @param height the picture's height in pixels, the same in both files
     */
    public record Image(String panelTitle, Path png, Path svg, int width, int height) {}

    /** The PNG files, in panel order. */
    public List<Path> pngFiles() {
        return images.stream().map(Image::png).toList();
    }

    /** The SVG files, in panel order. */
    public List<Path> svgFiles() {
        return images.stream().map(Image::svg).toList();
    }

    /** Every file written: each panel's PNG then its SVG, in panel order. */
    public List<Path> files() {
        return images.stream().flatMap(image -> Stream.of(image.png(), image.svg())).toList();
    }
}
