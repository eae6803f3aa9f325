package dev.arrakis.experiment;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.hooks.TypedHook;
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
 * @param captures the hook points bound with {@code @Capture}, each once
 * @param needsCache whether a parameter takes the whole {@code ActivationCache}
 * @param plot the {@code @Plot}, or null
 * @param logged whether {@code @LogExperiment} applies
 * @param resultType the method's return type as written, for the run record
 * @param invoker calls the method with bound arguments
 * @param attributionPatching whether the run's patch is estimated by attribution patching ({@code @AttributionPatch}):
 *     the method is then the metric, called once on the differentiated corrupted run
 * @param <E> the experiment class
 */
public record RunDefinition<E>(
        String name,
        String input,
        List<Intervention> interventions,
        List<TypedHook<?>> captures,
        boolean needsCache,
        PlotSpec plot,
        boolean logged,
        String resultType,
        Invoker<E> invoker,
        boolean attributionPatching) {

    public RunDefinition {
        interventions = List.copyOf(interventions);
        captures = List.copyOf(captures);
        Objects.requireNonNull(invoker, "invoker");
    }

    /** Calls the run method for one sweep point; returns its result, boxed, or null for {@code void}. */
    @FunctionalInterface
    public interface Invoker<E> {
        Object invoke(E experiment, RunContext context) throws Exception;
    }

    /** @param title empty for the run's name */
    public record PlotSpec(PlotKind kind, String title) {}

    /** Generated code names the experiment class: {@code RunDefinition.<HeadAblation>builder("baseline")}. */
    public static <E> Builder<E> builder(String name) {
        return new Builder<>(name);
    }

    /** What generated code uses, so that adding a component does not change every runner's constructor call. */
    public static final class Builder<E> {
        private final String name;
        private String input = "";
        private final List<Intervention> interventions = new ArrayList<>();
        private final List<TypedHook<?>> captures = new ArrayList<>();
        private boolean needsCache;
        private PlotSpec plot;
        private boolean logged;
        private String resultType = "void";
        private boolean attributionPatching;

        private Builder(String name) {
            this.name = name;
        }

        public Builder<E> input(String input) {
            this.input = input;
            return this;
        }

        public Builder<E> intervention(Intervention intervention) {
            interventions.add(intervention);
            return this;
        }

        /** Caches the hook point for this run; a point captured by several parameters is listed once. */
        public Builder<E> capture(TypedHook<?> hook) {
            if (captures.stream().noneMatch(listed -> listed.name().equals(hook.name()))) {
                captures.add(hook);
            }
            return this;
        }

        public Builder<E> needsCache() {
            this.needsCache = true;
            return this;
        }

        public Builder<E> plot(PlotKind kind, String title) {
            this.plot = new PlotSpec(kind, title);
            return this;
        }

        public Builder<E> logged() {
            this.logged = true;
            return this;
        }

        public Builder<E> resultType(String resultType) {
            this.resultType = resultType;
            return this;
        }

        /** The run's patch is estimated by attribution patching; the method is the metric. */
        public Builder<E> attributionPatching() {
            this.attributionPatching = true;
            return this;
        }

        public RunDefinition<E> invoker(Invoker<E> invoker) {
            return new RunDefinition<>(name, input, interventions, captures, needsCache, plot, logged, resultType,
                    invoker, attributionPatching);
        }
    }
}
