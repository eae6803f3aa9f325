package dev.arrakis.experiment;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.spec.Intervention;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One run method: its interventions, what it reads, and how it is called.
 *
 * @param name the run's name (the method's unless {@code @Run(name)} says otherwise)
 * @param input the {@code @Input} the model runs on; empty means the experiment's only input (ignored by patching,
 *     which names its own)
 * @param interventions in declaration order
 * @param captures the full hook names bound with {@code @Capture}
 * @param needsCache whether a parameter takes the whole {@code ActivationCache}
 * @param plot the {@code @Plot}, or null
 * @param logged whether {@code @LogExperiment} applies
 * @param resultType the method's return type as written, for the run record
 * @param invoker calls the method with bound arguments
 */
public record RunDefinition(
        String name,
        String input,
        List<Intervention> interventions,
        List<String> captures,
        boolean needsCache,
        PlotSpec plot,
        boolean logged,
        String resultType,
        Invoker invoker) {

    public RunDefinition {
        interventions = List.copyOf(interventions);
        captures = List.copyOf(captures);
        Objects.requireNonNull(invoker, "invoker");
    }

    /** Calls the run method for one sweep point; returns its result, boxed, or null for {@code void}. */
    @FunctionalInterface
    public interface Invoker {
        Object invoke(Object experiment, RunContext context) throws Exception;
    }

    /** @param title empty for the run's name */
    public record PlotSpec(PlotKind kind, String title) {}

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** What generated code uses, so that adding a component does not change every runner's constructor call. */
    public static final class Builder {
        private final String name;
        private String input = "";
        private final List<Intervention> interventions = new ArrayList<>();
        private final List<String> captures = new ArrayList<>();
        private boolean needsCache;
        private PlotSpec plot;
        private boolean logged;
        private String resultType = "void";

        private Builder(String name) {
            this.name = name;
        }

        public Builder input(String input) {
            this.input = input;
            return this;
        }

        public Builder intervention(Intervention intervention) {
            interventions.add(intervention);
            return this;
        }

        public Builder capture(String hookName) {
            captures.add(hookName);
            return this;
        }

        public Builder needsCache() {
            this.needsCache = true;
            return this;
        }

        public Builder plot(PlotKind kind, String title) {
            this.plot = new PlotSpec(kind, title);
            return this;
        }

        public Builder logged() {
            this.logged = true;
            return this;
        }

        public Builder resultType(String resultType) {
            this.resultType = resultType;
            return this;
        }

        public RunDefinition invoker(Invoker invoker) {
            return new RunDefinition(name, input, interventions, captures, needsCache, plot, logged, resultType,
                    invoker);
        }
    }
}
