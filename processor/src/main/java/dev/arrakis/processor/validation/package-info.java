/**
 * Checks of an experiment class against its model, after Dagger's validation: every problem of an element is
 * collected into a {@link dev.arrakis.processor.validation.ValidationReport} at the exact annotation value it is
 * about, all of them are printed, and nothing is generated for an element whose report has an error.
 */
package dev.arrakis.processor.validation;
