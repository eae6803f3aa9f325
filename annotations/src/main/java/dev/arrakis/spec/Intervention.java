package dev.arrakis.spec;

import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.Axis;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A change to the forward pass that a run method declares: what the annotation processor reads from {@code @Ablate}
 * and {@code @Patch}, what the generated runner hands the runtime, and what command-line overrides change.
 */
public sealed interface Intervention {

    /** The hook name as written, full or inside each block; empty where an ablation takes its default. */
    String hook();

    /** Every index selection, in axis order; a patch has no neuron selection. */
    Map<Axis, Selection> selections();

    /** The selections run one point per index, in axis order. */
    default Map<Axis, Selection> sweptSelections() {
        Map<Axis, Selection> swept = new EnumMap<>(Axis.class);
        selections().forEach((axis, selection) -> {
            if (selection.swept()) {
                swept.put(axis, selection);
            }
        });
        return swept;
    }

    /** The annotation's name without its {@code @}: {@code Ablate}, {@code Patch} or {@code Steer}. */
    default String annotation() {
        return this instanceof Ablation ? "Ablate" : this instanceof Steering ? "Steer" : "Patch";
    }

    /** The attribute that selects on an axis, as the annotation spells it ({@code @Ablate(positions)}). */
    default String attribute(Axis axis) {
        return !(this instanceof Patching) && axis == Axis.POSITION ? "positions" : axisName(axis);
    }

    /** The selections in axis order, leaving out a {@code null} neuron selection (a patch has none). */
    private static Map<Axis, Selection> byAxis(Selection layers, Selection heads, Selection neurons,
            Selection positions) {
        Map<Axis, Selection> selections = new EnumMap<>(Axis.class);
        selections.put(Axis.LAYER, layers);
        selections.put(Axis.HEAD, heads);
        if (neurons != null) {
            selections.put(Axis.NEURON, neurons);
        }
        selections.put(Axis.POSITION, positions);
        return selections;
    }

    /** An axis as messages, override keys and run records name it: {@code layer}, {@code position}. */
    static String axisName(Axis axis) {
        return axis.name().toLowerCase(Locale.ROOT);
    }

    /**
     * {@code @Ablate}: replace heads, neurons or a whole activation.
     *
     * @param hook the hook name as written (full or block-relative), or empty for the default
     *     ({@code attn.hook_z} with heads, {@code mlp.hook_post} with neurons)
     */
    record Ablation(
            String hook,
            Selection layers,
            Selection heads,
            Selection neurons,
            Selection positions,
            AblationMethod method) implements Intervention {

        @Override
        public Map<Axis, Selection> selections() {
            return byAxis(layers, heads, neurons, positions);
        }

        /** An ablation built by attribute, as generated runners write it; unset attributes are not given. */
        public static Builder builder(AblationMethod method) {
            return new Builder(method);
        }

        /** Names each attribute it sets, so a call says which selection is the heads and which the neurons. */
        public static final class Builder {
            private final AblationMethod method;
            private String hook = "";
            private Selection layers = Selection.none();
            private Selection heads = Selection.none();
            private Selection neurons = Selection.none();
            private Selection positions = Selection.none();

            private Builder(AblationMethod method) {
                this.method = method;
            }

            public Builder hook(String value) {
                hook = value;
                return this;
            }

            public Builder layers(Selection value) {
                layers = value;
                return this;
            }

            public Builder heads(Selection value) {
                heads = value;
                return this;
            }

            public Builder neurons(Selection value) {
                neurons = value;
                return this;
            }

            public Builder positions(Selection value) {
                positions = value;
                return this;
            }

            public Ablation build() {
                return new Ablation(hook, layers, heads, neurons, positions, method);
            }
        }
    }

    /**
     * {@code @Patch}: write the activation of the {@code from} input's run into the {@code into} input's run.
     *
     * @param hook the hook name as written (full or block-relative)
     */
    record Patching(
            String hook,
            Selection layers,
            Selection positions,
            Selection heads,
            String from,
            String into) implements Intervention {

        @Override
        public Map<Axis, Selection> selections() {
            return byAxis(layers, heads, null, positions);
        }

        /** A patch built by attribute, as generated runners write it; unset selections are not given. */
        public static Builder builder(String hook, String from, String into) {
            return new Builder(hook, from, into);
        }

        /** Names each selection it sets. */
        public static final class Builder {
            private final String hook;
            private final String from;
            private final String into;
            private Selection layers = Selection.none();
            private Selection positions = Selection.none();
            private Selection heads = Selection.none();

            private Builder(String hook, String from, String into) {
                this.hook = hook;
                this.from = from;
                this.into = into;
            }

            public Builder layers(Selection value) {
                layers = value;
                return this;
            }

            public Builder positions(Selection value) {
                positions = value;
                return this;
            }

            public Builder heads(Selection value) {
                heads = value;
                return this;
            }

            public Patching build() {
                return new Patching(hook, layers, positions, heads, from, into);
            }
        }
    }

    /**
     * {@code @Steer}: add {@code coefficient} times the {@code vector} input's steering vector to the residual stream
     * at the hook of each layer. It selects no heads.
     *
     * @param hook the residual hook point as written, e.g. {@code hook_resid_pre}
     * @param coefficient the coefficient of every point, or the first of {@code sweptCoefficients}
     * @param vector the name of the {@code @Input} giving the vector
     * @param sweptCoefficients one point per coefficient ({@link Axis#COEFFICIENT}), empty when not swept
     */
    record Steering(
            String hook,
            Selection layers,
            Selection positions,
            double coefficient,
            String vector,
            List<Double> sweptCoefficients) implements Intervention {

        public Steering {
            sweptCoefficients = List.copyOf(sweptCoefficients);
        }

        /** A steering with one coefficient. */
        public Steering(String hook, Selection layers, Selection positions, double coefficient, String vector) {
            this(hook, layers, positions, coefficient, vector, List.of());
        }

        /** The same steering swept over {@code coefficients}, or with the one coefficient when only one is given. */
        public Steering withCoefficients(List<Double> coefficients) {
            return new Steering(hook, layers, positions, coefficients.get(0), vector,
                    coefficients.size() > 1 ? coefficients : List.of());
        }

        /** Every coefficient the run uses, in sweep order. */
        public List<Double> coefficients() {
            return sweptCoefficients.isEmpty() ? List.of(coefficient) : sweptCoefficients;
        }

        @Override
        public Map<Axis, Selection> selections() {
            return byAxis(layers, Selection.none(), null, positions);
        }

        /** The swept layers and positions, then the coefficients as indices into {@link #sweptCoefficients}. */
        @Override
        public Map<Axis, Selection> sweptSelections() {
            Map<Axis, Selection> swept = Intervention.super.sweptSelections();
            if (!sweptCoefficients.isEmpty()) {
                swept.put(Axis.COEFFICIENT, Selection.sweep(IntStream.range(0, sweptCoefficients.size()).toArray()));
            }
            return swept;
        }

        /** A steering built by attribute, as generated runners write it. */
        public static Builder builder(String hook, String vector, double coefficient) {
            return new Builder(hook, vector, coefficient);
        }

        /** Names each selection it sets. */
        public static final class Builder {
            private final String hook;
            private final String vector;
            private final double coefficient;
            private Selection layers = Selection.none();
            private Selection positions = Selection.none();
            private List<Double> coefficients = List.of();

            private Builder(String hook, String vector, double coefficient) {
                this.hook = hook;
                this.vector = vector;
                this.coefficient = coefficient;
            }

            public Builder layers(Selection value) {
                layers = value;
                return this;
            }

            public Builder positions(Selection value) {
                positions = value;
                return this;
            }

            /** One point per coefficient, the builder's own coefficient being the first. */
            public Builder coefficients(double... values) {
                coefficients = java.util.Arrays.stream(values).boxed().toList();
                return this;
            }

            public Steering build() {
                return new Steering(hook, layers, positions, coefficient, vector, coefficients);
            }
        }
    }
}
