package dev.arrakis.plot;

import dev.arrakis.ArrakisException;

/**
 * A plot could not be drawn or written: its data is unusable (no panels, an empty panel, ragged rows, no finite
 * value, panels of different shapes, tick labels that do not match the matrix), the file name is not a plain name, or the directory cannot be
 * written. The message names the plot by its title and says what is wrong; {@link #problem()} tells the cases apart.
 */
public final class PlotRenderException extends ArrakisException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Problem {
        /** The request's kind is missing (a request's kind is never AUTO). */
        NO_KIND,
        /** The request holds no panel. */
        NO_PANELS,
        /** A panel has no rows or no columns. */
        EMPTY_PANEL,
        /** A panel's rows differ in length. */
        RAGGED_ROWS,
        /** The panels of one request differ in shape. */
        PANEL_SHAPE_MISMATCH,
        /** A panel holds only NaN or infinite values. */
        NO_FINITE_VALUES,
        /** The row or column tick labels are neither absent nor one per row or column. */
        TICK_COUNT_MISMATCH,
        /** The base name is blank, or is not a plain file name. */
        BAD_FILE_NAME,
        /** The output directory cannot be created or is not a writable directory. */
        UNWRITABLE_DIRECTORY,
        /** Writing a file failed part way; no partial file is left behind. */
        WRITE_FAILED,
        /** The charting library failed to draw valid-looking data. */
        RENDER_FAILED
    }

    private final String plotTitle;
    private final Problem problem;

    PlotRenderException(String plotTitle, Problem problem, String detail) {
        this(plotTitle, problem, detail, null);
    }

    PlotRenderException(String plotTitle, Problem problem, String detail, Throwable cause) {
        super("cannot draw plot '" + plotTitle + "': " + detail, cause);
        this.plotTitle = plotTitle;
        this.problem = problem;
    }

    /** The title of the plot at fault, as in the request. */
    public String plotTitle() {
        return plotTitle;
    }

    public Problem problem() {
        return problem;
    }
}
