/**
 * What a researcher writes: an {@link dev.arrakis.annotations.Experiment} class whose run methods declare
 * interventions ({@link dev.arrakis.annotations.Ablate}, {@link dev.arrakis.annotations.Patch}), reads
 * ({@link dev.arrakis.annotations.Capture}), pictures ({@link dev.arrakis.annotations.Plot}) and logging
 * ({@link dev.arrakis.annotations.LogExperiment}). Everything here is checked against the model when the class
 * compiles.
 */
package dev.arrakis.annotations;
