package dev.arrakis.runs;

import java.util.List;

/**
 * The runs a query found, oldest first, and every store entry that could not be read (a corrupt or unfinished
 * entry never hides the others).
 */
public record RunListing(List<StoredRun> runs, List<StoreProblem> problems) {
    public RunListing {
        runs = List.copyOf(runs);
        problems = List.copyOf(problems);
    }
}
