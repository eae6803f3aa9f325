/**
 * What a run leaves behind: its record (definition version, arguments, results, environment) and the
 * version-controlled store that keeps, lists, compares and exports records.
 */
package dev.arrakis.runs;
