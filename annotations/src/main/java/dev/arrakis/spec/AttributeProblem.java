package dev.arrakis.spec;

/**
 * A problem with an annotation's value: the attribute it is about and, for an array attribute, the element (-1 for
 * the whole value), so the processor can place the error on what was written and the runtime can quote it.
 */
public record AttributeProblem(Problem problem, String attribute, int index) {}
