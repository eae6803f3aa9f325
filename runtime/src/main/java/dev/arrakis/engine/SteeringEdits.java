package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.engine.SweepPlan.Edit;
import dev.arrakis.engine.SweepPlan.SourceKind;
import dev.arrakis.hooks.Hook;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Intervention;
import dev.arrakis.tools.steering.Steering;
import dev.arrakis.tools.steering.SteeringVector;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code @Steer} hooks of one batched pass, in which point {@code j} owns rows {@code j*B .. j*B+B-1}: at each
 * steered hook point one addend {@code [rows, pos, d_model]} is built in Java, each point's rows holding what its
 * steering adds there ({@link Steering#addTo}) and the others zeros, and added to the activation. Replacements
 * ({@link BatchedEdits}) run before it at the same point.
 */
final class SteeringEdits {
    private SteeringEdits() {}

    /** Whether an edit adds a steering vector rather than replacing an activation. */
    static boolean isSteering(Edit edit) {
        return edit.source().kind() == SourceKind.STEER;
    }

    /**
     * @param pointEdits each point's edits, in row order; only the steering ones are read
     * @param interventions the run's interventions, which the edits index
     * @param inputs the values of the experiment's inputs, where each steering finds its vector
     */
    static Map<HookPoint, Hook> hooks(List<List<Edit>> pointEdits, int batch, int sequenceLength, int width,
            List<Intervention> interventions, Map<String, Object> inputs, String experiment) {
        int rows = pointEdits.size() * batch;
        Map<HookPoint, float[]> addends = new LinkedHashMap<>();
        for (int point = 0; point < pointEdits.size(); point++) {
            for (Edit edit : pointEdits.get(point)) {
                if (!isSteering(edit)) {
                    continue;
                }
                Intervention.Steering declared = (Intervention.Steering) interventions.get(edit.intervention());
                Steering steering = new Steering(edit.point().layer(), edit.point().blockRelativeName(),
                        vector(declared.vector(), inputs, width, experiment), edit.source().coefficient(),
                        edit.positions() == null ? new int[0] : edit.positions());
                float[] addend = addends.computeIfAbsent(edit.point(), key -> new float[rows * sequenceLength * width]);
                for (int row = point * batch; row < (point + 1) * batch; row++) {
                    steering.addTo(addend, row, sequenceLength, width, edit.point().name());
                }
            }
        }
        Map<HookPoint, Hook> hooks = new LinkedHashMap<>();
        addends.forEach((point, addend) -> hooks.put(point, (activation, context) -> {
            NDArray added = context.scope().create(addend, new Shape(rows, sequenceLength, width)).duplicate();
            if (activation.getDataType() != DataType.FLOAT32) {
                added = added.toType(activation.getDataType(), false);
            }
            return activation.add(added);
        }));
        return hooks;
    }

    private static SteeringVector vector(String input, Map<String, Object> inputs, int width, String experiment) {
        Object value = inputs.get(input);
        if (!(value instanceof SteeringVector vector)) {
            throw new ExperimentRunException("@Steer(vector = \"" + input + "\") of " + experiment + " needs a"
                    + " SteeringVector, but input '" + input + "' is "
                    + (value == null ? "null" : "a " + value.getClass().getName()));
        }
        if (vector.width() != width) {
            throw new ExperimentRunException("the steering vector of input '" + input + "' has " + vector.width()
                    + " values per row, but the model has d_model " + width);
        }
        return vector;
    }
}
