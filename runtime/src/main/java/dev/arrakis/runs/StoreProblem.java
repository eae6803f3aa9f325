package dev.arrakis.runs;

/**
 * An entry of the store that could not be read as a run, reported beside the runs that could.
 *
 * @param entry the entry's path relative to the store's root, e.g. {@code runs/20261126-170301-3f9a2c}
 * @param problem what is wrong with it
 */
public record StoreProblem(String entry, String problem) {
    @Override
    public String toString() {
        return entry + ": " + problem;
    }
}
