package dev.arrakis.runs;

/** Where the runner hands the record of each {@code @LogExperiment} run: the run store, or a test's list. */
@FunctionalInterface
public interface RunSink {
    void record(RunRecord record);
}
