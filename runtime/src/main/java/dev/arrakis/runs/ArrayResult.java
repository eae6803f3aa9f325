package dev.arrakis.runs;

/**
 * A result that the run store records, and plots draw, as an array: a tool's table (head scores by layer and head,
 * composition scores) returned from a run method as itself rather than converted to a Java array first.
 */
public interface ArrayResult {

    /** Its values; the type is the class's simple name, by which plots name the axes. */
    ArrayValue toArrayValue();
}
