package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ActivationKind;

/** MLP neurons, {@code [batch, pos, d_mlp]}. */
public final class Neurons extends Activation {

    public Neurons(NDArray array) {
        super(array, 3);
    }

    @Override
    public ActivationKind kind() {
        return ActivationKind.NEURONS;
    }

    /** One neuron's activation at every example and position, {@code [batch, pos]}. */
    public NDArray neuron(int neuron) {
        return select(2, neuron, "neuron");
    }
}
