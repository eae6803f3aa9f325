package dev.arrakis.train;

import java.nio.file.Path;
import java.util.Map;

/** Follows a training run: a progress bar, a log, or a test's probe. Every method does nothing unless overridden. */
public interface TrainingListener {

    default void started(int steps) {}

    /** After step {@code step} (counted from 1) with the batch's mean loss. */
    default void stepped(int step, double loss) {}

    /** After an evaluation, with what the evaluation measured. */
    default void evaluated(int step, Map<String, Double> metrics) {}

    default void checkpointed(int step, Path directory) {}

    default void finished(TrainingHistory history) {}
}
