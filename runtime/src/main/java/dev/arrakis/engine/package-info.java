/**
 * Runs experiment definitions: applies and checks command-line overrides with the build's rules
 * ({@link dev.arrakis.spec.InterventionRules}), plans each sweep's points, batches them into forward passes with one
 * hook per touched hook point, binds each point's parameters and hands the outcome to a run store.
 */
package dev.arrakis.engine;
