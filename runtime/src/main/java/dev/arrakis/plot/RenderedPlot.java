package dev.arrakis.plot;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files a {@link PlotRenderer} wrote for one request: one PNG and one SVG per picture (a panel, or a grid of
 * attention heads), in panel order.
 *
 * @param images one entry per picture, at least one
 */
public record RenderedPlot(List<Image> images) {

    public RenderedPlot {
        images = List.copyOf(images);
    }

    /**
     * One picture.
     *
     * @param panelTitle the panel's title ({@code layer=3}), or a grid's ({@code batch=0}), empty for a single
     *     panel or grid
     * @param png the raster file
     * @param svg the vector file
     * @param width the picture's width in pixels, the same in both files
     * @param height the picture's height in pixels, the same in both files
     */
    public record Image(String panelTitle, Path png, Path svg, int width, int height) {}

    /** The PNG files, one per picture, in panel order. */
    public List<Path> pngFiles() {
        return images.stream().map(Image::png).toList();
    }

    /** The SVG files, one per picture, in panel order. */
    public List<Path> svgFiles() {
        return images.stream().map(Image::svg).toList();
    }

    /** Every file written: each picture's PNG then its SVG, in panel order. */
    public List<Path> files() {
        return images.stream().flatMap(image -> Stream.of(image.png(), image.svg())).toList();
    }
}
