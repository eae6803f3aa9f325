package dev.arrakis.engine;

import dev.arrakis.runs.RunStatus;

/**
 * Hears how far a run has got, for progress displays. Called on the thread that runs the experiment, after each
 * forward pass's points have been evaluated; keep it quick.
 */
public interface RunListener {
    /** Before the first pass: the run's sweep has {@code points} points. */
    default void started(String experiment, String run, int points) {}

    /** After a pass: {@code finished} of {@code points} points have results. */
    default void progressed(int finished, int points) {}

    /** After the last pass, or after the pass during which a stop was requested. */
    default void ended(RunStatus status, int finished, int points) {}
}
