package dev.arrakis.tools.steering;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ShapeChecks;
import dev.arrakis.spec.SteeringRules;
import java.util.Arrays;

/**
 * Activation steering: {@code coefficient * vector} added to the residual stream at one hook point of one layer
 * ({@code hook_resid_pre} unless another residual point is named), at every position or at the positions given
 * (negative counts from the end), in whatever pass the options go to. A vector of several rows is added at the first
 * positions instead (see {@link SteeringVector}). Being a hook, it applies to any hooked run: a forward pass, a
 * cached run, a sweep point, each step of generation that runs hooks.
 *
 * @param layer the block whose residual stream is steered
 * @param hook the residual hook point inside the block: {@code hook_resid_pre}, {@code hook_resid_mid} or
 *     {@code hook_resid_post}
 * @param positions where a one-row vector is added; all positions when empty
 */
public record Steering(int layer, String hook, SteeringVector vector, double coefficient, int[] positions) {

    public Steering {
        positions = positions.clone();
        if (vector.positional() && positions.length > 0) {
            throw new SteeringException("a vector of " + vector.rows().length + " rows is added at the first "
                    + vector.rows().length + " positions; positions " + Arrays.toString(positions)
                    + " apply to a one-row vector");
        }
    }

    /** The steered positions, a copy. */
    @Override
    public int[] positions() {
        return positions.clone();
    }

    /** Steers {@code blocks.{layer}.hook_resid_pre} at every position. */
    public static Steering at(int layer, SteeringVector vector, double coefficient) {
        return new Steering(layer, SteeringRules.DEFAULT_HOOK, vector, coefficient, new int[0]);
    }

    public Steering atHook(String blockRelativeHook) {
        return new Steering(layer, blockRelativeHook, vector, coefficient, positions);
    }

    public Steering atPositions(int... steered) {
        return new Steering(layer, hook, vector, coefficient, steered);
    }

    public Steering withCoefficient(double value) {
        return new Steering(layer, hook, vector, value, positions);
    }

    /** The full hook name, e.g. {@code blocks.1.hook_resid_pre}. */
    public String hookName() {
        return "blocks." + layer + "." + hook;
    }

    /**
     * Checks the steering against the model: the layer and hook exist, the vector is d_model wide, the coefficient is
     * finite and the positions fit the context.
     *
     * @throws SteeringException naming the value at fault
     */
    public void check(HookedTransformer model) {
        ShapeChecks shape = new ShapeChecks(modelName(model), model.config());
        SteeringRules.check(shape, layer, hook, coefficient, positions).ifPresent(problem -> {
            throw new SteeringException(problem.problem().text());
        });
        if (vector.width() != model.config().dModel()) {
            throw new SteeringException("the steering vector has " + vector.width() + " values per row but "
                    + modelName(model) + " has d_model " + model.config().dModel());
        }
    }

    /** The options with this steering's hook added. */
    public RunOptions applyTo(RunOptions options) {
        return options.withHook(hookName(), asHook());
    }

    /** A forward pass of the model with this steering; checked against the model first. */
    public ForwardResult run(HookedTransformer model, TokenBatch batch) {
        return run(model, batch, RunOptions.none());
    }

    /** As {@link #run(HookedTransformer, TokenBatch)} with other options (caches, further hooks) besides. */
    public ForwardResult run(HookedTransformer model, TokenBatch batch, RunOptions options) {
        check(model);
        return model.run(batch, applyTo(options));
    }

    /** The hook that adds {@code coefficient * vector}; activations {@code [batch, pos, d_model]}. */
    public Hook asHook() {
        return (activation, context) -> {
            long[] shape = activation.getShape().getShape();
            int length = (int) shape[1];
            int width = (int) shape[2];
            float[] addend = new float[length * width];
            addTo(addend, 0, length, width, context.point().name());
            // created from Java memory, then copied into libtorch's: autograd may keep the addend past this pass
            NDArray added = context.scope().create(addend, new Shape(1, length, width)).duplicate();
            if (activation.getDataType() != DataType.FLOAT32) {
                added = added.toType(activation.getDataType(), false);
            }
            return activation.add(added);
        };
    }

    /**
     * Writes what this steering adds to one row of a {@code [rows, length, width]} addend: {@code coefficient * vector}
     * at the steered positions of row {@code row}. The engine's batched passes fill each sweep point's rows with it.
     *
     * @param where the hook point, for messages
     */
    public void addTo(float[] addend, int row, int length, int width, String where) {
        int base = row * length * width;
        if (vector.positional()) {
            int rows = vector.rows().length;
            if (rows > length) {
                throw new SteeringException("the steering vector covers the first " + rows + " positions but the"
                        + " sequence at " + where + " has " + length);
            }
            for (int position = 0; position < rows; position++) {
                addRow(addend, base, position, width, vector.rows()[position]);
            }
        } else if (positions.length == 0) {
            for (int position = 0; position < length; position++) {
                addRow(addend, base, position, width, vector.rows()[0]);
            }
        } else {
            // -1 and length - 1 are one position, steered once
            boolean[] steered = new boolean[length];
            for (int requested : positions) {
                int position = requested < 0 ? length + requested : requested;
                if (position < 0 || position >= length) {
                    throw new SteeringException("cannot steer position " + requested + " of a sequence of " + length
                            + " at " + where);
                }
                steered[position] = true;
            }
            for (int position = 0; position < length; position++) {
                if (steered[position]) {
                    addRow(addend, base, position, width, vector.rows()[0]);
                }
            }
        }
    }

    private void addRow(float[] addend, int base, int position, int width, float[] row) {
        for (int i = 0; i < width; i++) {
            addend[base + position * width + i] += (float) (coefficient * row[i]);
        }
    }

    static String modelName(HookedTransformer model) {
        return model.source() != null ? String.valueOf(model.source().getFileName()) : model.config().modelType();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Steering that && layer == that.layer && hook.equals(that.hook)
                && vector.equals(that.vector) && Double.compare(coefficient, that.coefficient) == 0
                && Arrays.equals(positions, that.positions);
    }

    @Override
    public int hashCode() {
        return (31 * layer + hook.hashCode()) * 31 + Arrays.hashCode(positions);
    }

    @Override
    public String toString() {
        return "Steering[" + hookName() + " += " + coefficient + " * " + vector
                + (positions.length == 0 ? "" : " at " + Arrays.toString(positions)) + "]";
    }
}
