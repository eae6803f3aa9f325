package dev.arrakis.annotations;

/** How a run's result is drawn. */
public enum PlotKind {
    /** Chosen from the result: a line over one swept layer or position axis, bars over heads, a heatmap over two. */
    AUTO,
    LINE,
    BAR,
    HEATMAP,
    /** Query by key, with token labels. */
    ATTENTION
}
