package dev.arrakis.runs;


/** How a run ended. */
public enum RunStatus {
    /** Every sweep point ran. */
    COMPLETE,
    /**
     * A stop was requested ({@link dev.arrakis.engine.StopSignal}, Ctrl-C on the command line) and the run ended
     * after the pass in flight; the points that finished carry results, the rest are null.
     */
    INTERRUPTED
}
