package dev.arrakis.engine;

import dev.arrakis.ArrakisException;
import java.util.List;

/**
 * An experiment, run or override that cannot run as written: an index out of range, an unknown hook, run or
 * experiment name, a malformed override. Raised before the model is loaded; the message holds every problem found,
 * one per line, each tagged as in the build's errors ({@code [Experiment/LayerRange] ...}) where the catalogue has
 * a tag for it.
 */
public final class ExperimentDefinitionException extends ArrakisException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public ExperimentDefinitionException(List<String> problems) {
        super(String.join("\n", requireSome(problems)));
        this.problems = List.copyOf(problems);
    }

    public ExperimentDefinitionException(String problem) {
        this(List.of(problem));
    }

    /** Each problem's text, in the order found. */
    public List<String> problems() {
        return problems;
    }

    private static List<String> requireSome(List<String> problems) {
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("an ExperimentDefinitionException needs at least one problem");
        }
        return problems;
    }
}
