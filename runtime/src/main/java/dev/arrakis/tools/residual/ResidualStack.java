package dev.arrakis.tools.residual;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.util.DidYouMean;
import java.util.List;

/**
 * Pieces of the residual stream stacked along a leading component axis, {@code [component, batch, pos, d_model]},
 * each with TransformerLens's label ({@code 0_pre}, {@code embed}, {@code 1_attn_out}, {@code L0H1}, {@code bias},
 * ...). The array lives in the manager the caller passed to the tool that made the stack.
 */
public final class ResidualStack {
    private final List<String> labels;
    private final NDArray components;
    private final StreamPoint point;

    ResidualStack(List<String> labels, NDArray components, StreamPoint point) {
        if (components.getShape().dimension() != 4 || components.getShape().get(0) != labels.size()) {
            throw new IllegalArgumentException(labels.size() + " labels for a stack of shape " + components.getShape());
        }
        this.labels = List.copyOf(labels);
        this.components = components;
        this.point = point;
    }

    /** One label per component, in stack order. */
    public List<String> labels() {
        return labels;
    }

    /** {@code [component, batch, pos, d_model]}. */
    public NDArray array() {
        return components;
    }

    /** Where in the stream the stack was read: decompositions sum to the residual there. */
    public StreamPoint point() {
        return point;
    }

    public int size() {
        return labels.size();
    }

    /** The index of a component; an unknown label fails with the labels nearest to it. */
    public int indexOf(String label) {
        int index = labels.indexOf(label);
        if (index < 0) {
            throw new ResidualStreamException("no component '" + label + "' in this stack of " + labels.size()
                    + DidYouMean.hint(label, labels) + " (components: " + String.join(", ", labels) + ")");
        }
        return index;
    }

    /** One component's vector at one example and position; a negative position counts from the end. */
    public float[] vector(String label, int batch, int position) {
        long positions = components.getShape().get(2);
        int resolved = position < 0 ? (int) (positions + position) : position;
        if (batch < 0 || batch >= components.getShape().get(1) || resolved < 0 || resolved >= positions) {
            throw new ResidualStreamException("(" + batch + ", " + position + ") is outside this stack of "
                    + components.getShape().get(1) + " examples and " + positions + " positions");
        }
        int component = indexOf(label);
        try (NDManager scope = components.getManager().newSubManager()) {
            return components.get(scope, new NDIndex("{}, {}, {}", component, batch, resolved)).toFloatArray();
        }
    }

    /** One component, {@code [batch, pos, d_model]}, copied into {@code manager}. */
    public NDArray component(String label, NDManager manager) {
        return components.get(manager, new NDIndex("{}", indexOf(label)));
    }

    /** The components added up, {@code [batch, pos, d_model]}, in {@code manager}. */
    public NDArray sum(NDManager manager) {
        NDArray total = components.sum(new int[] {0});
        total.attach(manager);
        return total;
    }

    @Override
    public String toString() {
        return "ResidualStack" + components.getShape() + labels;
    }
}
