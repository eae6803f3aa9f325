package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import dev.arrakis.engine.SweepPlan.Edit;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.tools.gradients.LogitMetric;
import dev.arrakis.tools.patching.AttributionPatching;
import dev.arrakis.tools.patching.EffectTable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An {@code @AttributionPatch} run: every point of the patching sweep estimated from one clean pass, one corrupted
 * pass and one backward pass. A point's estimate is the sum of the {@link EffectTable} cells its edits would patch
 * (the estimate is linear), so any selection {@code @Patch} admits is estimated as it would be measured.
 */
final class AttributionSweep {
    private AttributionSweep() {}

    /**
     * @param into the corrupted input's tokens (the run's model input)
     * @param from the clean input's tokens
     * @return one estimate per point of the plan, in plan order
     */
    static <E> List<Object> values(SweepPlan plan, HookedTransformer model, RunDefinition<E> definition, E instance,
            Map<String, Object> inputs, TokenBatch into, TokenBatch from) {
        Set<HookPoint> points = new LinkedHashSet<>();
        for (int point = 0; point < plan.points(); point++) {
            plan.edits(point).forEach(edit -> points.add(edit.point()));
        }
        LogitMetric metric = logits -> {
            Object value;
            try {
                value = definition.invoker().invoke(instance, new MetricContext(definition.name(), model, inputs,
                        new Logits(logits), into));
            } catch (Exception e) {
                throw new ExperimentRunException(definition.name() + " failed as the metric of @AttributionPatch: "
                        + e.getMessage(), e);
            }
            if (!(value instanceof NDArray array)) {
                throw new ExperimentRunException(definition.name() + " returned " + value + "; as the metric of"
                        + " @AttributionPatch it returns a scalar NDArray");
            }
            return array;
        };
        AttributionPatching.Estimates estimates = AttributionPatching.estimate(model, from, into, metric, points);
        List<Object> values = new ArrayList<>(plan.points());
        for (int point = 0; point < plan.points(); point++) {
            double sum = 0;
            for (Edit edit : plan.edits(point)) {
                sum += estimates.table(edit.point()).sum(edit.positions(), edit.features());
            }
            values.add(sum);
        }
        return values;
    }
}
