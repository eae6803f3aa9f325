package dev.arrakis.runs;

/**
 * One version of an experiment: the n-th distinct fingerprint the store has seen for it, with the source it had.
 */
public record ExperimentVersion(String experiment, int version, String fingerprint, String source) {}
