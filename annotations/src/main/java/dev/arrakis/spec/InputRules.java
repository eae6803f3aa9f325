package dev.arrakis.spec;

import dev.arrakis.util.DidYouMean;
import java.util.Collection;
import java.util.Optional;

/**
 * Which input a run names and feeds the model: the rules that the annotation processor (on {@code @Run(input)} and
 * {@code @Patch(from, into)}) and the runtime (on the same names after overrides) both apply, with the same words.
 * Only the build knows the inputs' types, so it alone tells a runnable input (tokens) from data.
 */
public final class InputRules {
    private InputRules() {}

    /** {@link Message#UNKNOWN_INPUT} with the nearest names and every name, or empty when the input exists. */
    public static Optional<Problem> unknown(String input, Collection<String> inputs) {
        if (inputs.contains(input)) {
            return Optional.empty();
        }
        return Optional.of(Problem.of(Message.UNKNOWN_INPUT, input, DidYouMean.hint(input, inputs),
                inputs.isEmpty() ? "none" : String.join(", ", inputs)));
    }

    /**
     * {@link Message#NO_INPUT}: a run that patches nothing and names no input, when the model could run on none or
     * on several of them.
     *
     * @param inputs every input's name
     * @param runnable the inputs the model can run on (all of them when their types are unknown)
     */
    public static Problem noModelInput(String runName, Collection<String> inputs, Collection<String> runnable) {
        String problem = inputs.isEmpty() ? "has no input to run the model on; add an @Input method"
                : runnable.isEmpty() ? "has no input the model can run on, a TokenBatch or a ModelInput (inputs: "
                        + String.join(", ", inputs) + ")"
                : "must say which input the model runs on with @Run(input = ...) (inputs: "
                        + String.join(", ", runnable) + ")";
        return Problem.of(Message.NO_INPUT, runName, problem);
    }
}
