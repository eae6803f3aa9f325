package dev.arrakis.processor.model;

import com.palantir.javapoet.TypeName;
import dev.arrakis.annotations.Axis;
import java.util.List;

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

    /**
     * An analysis tool's value, computed for each point by a binding the runtime's {@code ToolBindings} makes.
     *
     * @param factory the {@code ToolBindings} method that makes the binding
     * @param type what the parameter receives
     * @param arguments the factory's arguments: enum constants and literals, in order
     * @param hooks the full names of the hook points the tool reads, which the run caches
     */
    record Tool(String factory, TypeName type, List<ToolArgument> arguments, List<String> hooks)
            implements ArgumentModel {

        public Tool {
            arguments = List.copyOf(arguments);
            hooks = List.copyOf(hooks);
        }
    }

    /** One argument of a tool binding's factory. */
    sealed interface ToolArgument {
        /** {@code Breakdown.ACCUMULATED}. */
        record EnumConstant(String enumClass, String constant) implements ToolArgument {}

        /** An {@code int} or {@code boolean}, or any other literal as Java source ({@code new int[] {1, 0}}). */
        record Literal(Object value) implements ToolArgument {}
    }

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
