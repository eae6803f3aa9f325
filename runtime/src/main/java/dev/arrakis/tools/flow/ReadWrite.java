package dev.arrakis.tools.flow;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.tools.ScopedArrays;
import dev.arrakis.tools.residual.ResidualStack;

/**
 * How strongly components write into, and read from, one direction of the residual stream (the seed's "read/write
 * heads and information flow"; Elhage et al. 2021 call the residual stream a communication channel that components
 * write to and read from through linear maps).
 *
 * <ul>
 *   <li>Writing is measured on activations: each component of a {@link ResidualStack} projected on the unit direction
 *       {@code d̂ = d/‖d‖}, {@code c · d̂}, averaged over the stack's examples and positions. Projections are linear,
 *       so the writes of a decomposition add up to the projection of the stream itself.
 *   <li>Reading is measured on weights: how much of the direction survives a head's input projection,
 *       {@code ‖(g ⊙ d̂ₙ) · W[h]‖}, where {@code W[h]} is the head's {@code W_Q}, {@code W_K} or {@code W_V}
 *       ({@code [d_model, d_head]}, a query head's key/value group under grouped-query attention), {@code g} the gain
 *       of the norm in front of it (ln1), and {@code d̂ₙ} the unit direction as the norm sees it: centred over
 *       {@code d_model} for LayerNorm, which removes the mean of its input, unchanged for RMSNorm. For an MLP,
 *       {@code W} is {@code W_in} (and {@code W_gate} beside it for a gated MLP) behind ln2. Biases and the norm's
 *       scale, which depends on the whole input, are left out: the measure compares components, not activations.
 * </ul>
 */
public final class ReadWrite {
    private ReadWrite() {}

    /** Each component's {@code c · d̂}, mean over the stack's examples and positions, in stack order. */
    public static double[] writes(ResidualStack stack, float[] direction) {
        NDArray components = stack.array();
        long dModel = components.getShape().get(3);
        float[] unit = unit(direction, dModel, false);
        try (NDManager scope = components.getManager().newSubManager()) {
            NDArray projected = ScopedArrays.view(components, scope)
                    .matMul(scope.create(unit, new Shape(dModel, 1)));
            double[] perComponent = new double[stack.size()];
            float[] flat = projected.toFloatArray();
            int perEach = flat.length / perComponent.length;
            for (int component = 0; component < perComponent.length; component++) {
                double sum = 0;
                for (int i = 0; i < perEach; i++) {
                    sum += flat[component * perEach + i];
                }
                perComponent[component] = sum / perEach;
            }
            return perComponent;
        }
    }

    /** Every head's read of the direction through {@code input}'s weights, {@code [layer][head]}. */
    public static double[][] headReads(HookedTransformer model, float[] direction, HeadInput input) {
        ModelConfig config = model.config();
        float[] unit = unit(direction, config.dModel(), isLayerNorm(config));
        double[][] reads = new double[config.layers()][config.heads()];
        try (NDManager scope = model.weights().embedding().getManager().newSubManager()) {
            for (int layer = 0; layer < config.layers(); layer++) {
                TransformerWeights.Block block = model.weights().block(layer);
                NDArray weight = switch (input) {
                    case QUERY -> block.queryWeight();
                    case KEY -> block.keyWeight();
                    case VALUE -> block.valueWeight();
                };
                int fusedHeads = input == HeadInput.QUERY ? config.heads() : config.kvHeads();
                float[] read = gained(scope, unit, block.ln1Weight()).matMul(ScopedArrays.weight(weight, scope))
                        .toFloatArray();
                int group = config.heads() / fusedHeads;
                for (int head = 0; head < config.heads(); head++) {
                    reads[layer][head] = norm(read, (head / group) * config.dHead(), config.dHead());
                }
            }
        }
        return reads;
    }

    /** Every MLP's read of the direction through its input weights ({@code W_in}, and {@code W_gate} if gated). */
    public static double[] mlpReads(HookedTransformer model, float[] direction) {
        ModelConfig config = model.config();
        float[] unit = unit(direction, config.dModel(), isLayerNorm(config));
        double[] reads = new double[config.layers()];
        try (NDManager scope = model.weights().embedding().getManager().newSubManager()) {
            for (int layer = 0; layer < config.layers(); layer++) {
                TransformerWeights.Block block = model.weights().block(layer);
                NDArray gainedUnit = gained(scope, unit, block.ln2Weight());
                float[] read = gainedUnit.matMul(ScopedArrays.weight(block.mlpInWeight(), scope)).toFloatArray();
                double squared = Math.pow(norm(read, 0, read.length), 2);
                if (block.mlpGateWeight() != null) {
                    float[] gate = gainedUnit.matMul(ScopedArrays.weight(block.mlpGateWeight(), scope))
                            .toFloatArray();
                    squared += Math.pow(norm(gate, 0, gate.length), 2);
                }
                reads[layer] = Math.sqrt(squared);
            }
        }
        return reads;
    }

    private static boolean isLayerNorm(ModelConfig config) {
        return config.architecture().normalization() == Architecture.Normalization.LAYER_NORM;
    }

    /** {@code g ⊙ d} as a row {@code [1, d_model]} in {@code scope}. */
    private static NDArray gained(NDManager scope, float[] unit, NDArray gain) {
        return scope.create(unit, new Shape(1, unit.length)).mul(ScopedArrays.weight(gain, scope));
    }

    /** The direction of unit length, centred first when a LayerNorm reads it. */
    static float[] unit(float[] direction, long dModel, boolean centre) {
        if (direction.length != dModel) {
            throw new ArrakisException("a residual direction has d_model = " + dModel + " values, got "
                    + direction.length);
        }
        double mean = 0;
        if (centre) {
            for (float value : direction) {
                mean += value;
            }
            mean /= direction.length;
        }
        double squared = 0;
        for (float value : direction) {
            squared += (value - mean) * (value - mean);
        }
        if (squared == 0) {
            throw new ArrakisException("the direction has no length" + (centre
                    ? " once centred: a LayerNorm removes a constant direction, so nothing can read it" : ""));
        }
        double length = Math.sqrt(squared);
        float[] unit = new float[direction.length];
        for (int i = 0; i < unit.length; i++) {
            unit[i] = (float) ((direction[i] - mean) / length);
        }
        return unit;
    }

    private static double norm(float[] values, int from, int length) {
        double squared = 0;
        for (int i = from; i < from + length; i++) {
            squared += (double) values[i] * values[i];
        }
        return Math.sqrt(squared);
    }
}
