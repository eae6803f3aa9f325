package dev.arrakis.tools.features;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.ArrakisException;
import java.util.Objects;

/**
 * What to find examples of: one unit of a hook point (an MLP neuron) or a direction in its space (a residual-stream
 * direction, a probe's weights, a dictionary feature's encoder row), read as one number per token.
 */
public final class Feature {
    private final String hook;
    private final String label;
    private final int unit;
    private final float[] direction;

    private Feature(String hook, String label, int unit, float[] direction) {
        this.hook = Objects.requireNonNull(hook, "hook");
        this.label = label;
        this.unit = unit;
        this.direction = direction;
    }

    /** Unit {@code index} of {@code hook}, e.g. {@code neuron("blocks.0.mlp.hook_post", 17)}. */
    public static Feature neuron(String hook, int index) {
        if (index < 0) {
            throw new ArrakisException("neuron index must not be negative, got " + index);
        }
        return new Feature(hook, hook + "[" + index + "]", index, null);
    }

    /** The dot product of each token's vector at {@code hook} with {@code direction} (not normalised). */
    public static Feature direction(String hook, String label, float[] direction) {
        if (direction.length == 0) {
            throw new ArrakisException("direction '" + label + "' is empty");
        }
        return new Feature(hook, Objects.requireNonNull(label, "label"), -1, direction.clone());
    }

    public String hook() {
        return hook;
    }

    public String label() {
        return label;
    }

    /**
     * The feature's value at every token of an activation {@code [batch, pos, width]}, row-major {@code [batch, pos]}.
     * The arrays made on the way live in a scope closed before returning.
     */
    float[] values(NDArray activation) {
        long[] shape = activation.getShape().getShape();
        long width = shape[shape.length - 1];
        if (shape.length != 3) {
            throw new ArrakisException("the activation at " + hook + " is " + activation.getShape()
                    + ", not [batch, pos, width]");
        }
        if (direction == null ? unit >= width : direction.length != width) {
            throw new ArrakisException(direction == null
                    ? "neuron " + unit + " does not exist: " + hook + " has units 0.." + (width - 1)
                    : "direction '" + label + "' has " + direction.length + " coordinates but " + hook + " is "
                            + width + " wide");
        }
        try (NDManager scope = activation.getManager().newSubManager()) {
            NDArray values = direction == null
                    ? activation.get(new NDIndex(":, :, {}", unit))
                    : activation.matMul(scope.create(direction));
            values.attach(scope);
            return values.toFloatArray();
        }
    }

    @Override
    public String toString() {
        return label;
    }
}
