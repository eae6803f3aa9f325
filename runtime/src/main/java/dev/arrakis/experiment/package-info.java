/**
 * The contract between an experiment and the engine: what the annotation processor generates for each
 * {@code @Experiment} class ({@link dev.arrakis.experiment.ExperimentDefinition}, its runs and inputs) and what a run
 * method's parameters are bound from ({@link dev.arrakis.experiment.RunContext}). Nothing here runs anything; the
 * engine ({@code dev.arrakis.engine}) does, and records what ran in {@code dev.arrakis.runs}.
 */
package dev.arrakis.experiment;
