package dev.arrakis.spec;

import java.util.Arrays;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The checks of a model edit against the model's shape, shared by the annotation processor ({@code @Edit},
 * {@code @BlendHeads}) and the runtime's {@code ModelSurgery}, so the same mistake reads the same at build time and
 * at run time. Each returns the problem and the array element it is about, or empty when the edit is valid.
 */
public final class SurgeryRules {
    private SurgeryRules() {}

    /** Layers to delete: each exists, each once, and at least one layer stays. */
    public static Optional<AttributeProblem> deleteLayers(ShapeChecks shape, int[] layers) {
        Optional<AttributeProblem> listed = eachOnceInRange(shape, "deleteLayers", layers);
        if (listed.isPresent()) {
            return listed;
        }
        if (layers.length == shape.config().layers()) {
            return problem("deleteLayers", -1, Message.DELETE_EVERY_LAYER, Arrays.toString(layers),
                    shape.modelName());
        }
        return Optional.empty();
    }

    /**
     * A new order of the layers: layer {@code i} of the edited model is layer {@code order[i]} of the original, and
     * every original layer appears exactly once.
     */
    public static Optional<AttributeProblem> permuteLayers(ShapeChecks shape, int[] order) {
        Optional<AttributeProblem> listed = eachOnceInRange(shape, "permuteLayers", order);
        if (listed.isPresent()) {
            return listed;
        }
        int layers = shape.config().layers();
        if (order.length != layers) {
            TreeSet<Integer> missing = new TreeSet<>();
            for (int layer = 0; layer < layers; layer++) {
                missing.add(layer);
            }
            Arrays.stream(order).forEach(missing::remove);
            return problem("permuteLayers", -1, Message.NOT_A_PERMUTATION, Arrays.toString(order), layers,
                    shape.modelName(), "layers " + missing.stream().map(String::valueOf)
                            .collect(Collectors.joining(", ")) + " are missing");
        }
        return Optional.empty();
    }

    /** A layer to run twice in a row. */
    public static Optional<AttributeProblem> duplicateLayer(ShapeChecks shape, int layer) {
        return shape.layer(layer).map(problem -> new AttributeProblem(problem, "duplicateLayer", -1));
    }

    /** {@code into := (1 - alpha) * into + alpha * head} in {@code layer}: both heads exist and differ. */
    public static Optional<AttributeProblem> blendHeads(ShapeChecks shape, int layer, int head, int into, double alpha) {
        Optional<Problem> problem = shape.layer(layer);
        if (problem.isPresent()) {
            return Optional.of(new AttributeProblem(problem.get(), "layer", -1));
        }
        problem = shape.head(head);
        if (problem.isPresent()) {
            return Optional.of(new AttributeProblem(problem.get(), "head", -1));
        }
        problem = shape.head(into);
        if (problem.isPresent()) {
            return Optional.of(new AttributeProblem(problem.get(), "into", -1));
        }
        if (head == into) {
            return problem("into", -1, Message.BLEND_SAME_HEAD, head, layer);
        }
        if (!(alpha >= 0 && alpha <= 1)) {
            return problem("alpha", -1, Message.BLEND_ALPHA, alpha);
        }
        return Optional.empty();
    }

    private static Optional<AttributeProblem> eachOnceInRange(ShapeChecks shape, String attribute, int[] layers) {
        for (int i = 0; i < layers.length; i++) {
            Optional<Problem> range = shape.layer(layers[i]);
            if (range.isPresent()) {
                return Optional.of(new AttributeProblem(range.get(), attribute, i));
            }
            for (int earlier = 0; earlier < i; earlier++) {
                if (layers[earlier] == layers[i]) {
                    return problem(attribute, i, Message.LAYER_LISTED_TWICE, layers[i], attribute);
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<AttributeProblem> problem(String attribute, int index, Message message, Object... args) {
        return Optional.of(new AttributeProblem(Problem.of(message, args), attribute, index));
    }
}
