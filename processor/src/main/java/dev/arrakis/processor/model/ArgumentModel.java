package dev.arrakis.processor.model;

import com.palantir.javapoet.TypeName;
import dev.arrakis.annotations.Axis;

/** Where one argument of a run method comes from, in the order of the method's parameters. */
public sealed interface ArgumentModel {

    /** The run's logits. */
    record Logits() implements ArgumentModel {}

    /** The whole activation cache. */
    record Cache() implements ArgumentModel {}

    /**
     * The activation at a hook point.
     *
     * @param hook the full hook name
     * @param type {@code NDArray} or the hook point's activation class
     */
    record Capture(String hook, TypeName type) implements ArgumentModel {}

    /** The loaded model. */
    record Model() implements ArgumentModel {}

    /** The model's shape. */
    record Config() implements ArgumentModel {}

    /** The index of the current sweep point on one axis. */
    record Coordinate(Axis axis) implements ArgumentModel {}

    /**
     * The value an {@code @Input} method returned.
     *
     * @param input the input's name
     * @param type the parameter's type
     */
    record Input(String input, TypeName type) implements ArgumentModel {}
}
