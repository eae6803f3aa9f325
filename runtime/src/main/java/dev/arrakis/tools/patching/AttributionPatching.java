package dev.arrakis.tools.patching;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.tools.gradients.GradientAccess;
import dev.arrakis.tools.gradients.LogitMetric;
import java.util.Collection;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Attribution patching (Nanda 2023, "Attribution patching: activation patching at industrial scale"; Syed, Rager and
 * Conmy 2023): the effect of patching the clean activation into the corrupted run, estimated to first order as
 * {@code (clean - corrupted activation) · ∂metric/∂activation}, the gradient taken on the corrupted run. One clean
 * pass, one corrupted pass and one backward pass give the estimate for every cell of every grid at once, where
 * activation patching needs one pass per cell.
 */
public final class AttributionPatching {
    private AttributionPatching() {}

    /**
     * The estimates at some hook points.
     *
     * @param cleanMetric the metric on the clean run
     * @param corruptedMetric the metric on the corrupted run (the estimates are changes from it)
     * @param tables one per hook point, by full hook name, in forward order
     */
    public record Estimates(double cleanMetric, double corruptedMetric, Map<String, EffectTable> tables) {

        public EffectTable table(HookPoint point) {
            EffectTable table = tables.get(point.name());
            if (table == null) {
                throw new ArrakisException("no attribution estimate at '" + point.name() + "' (estimated at "
                        + tables.keySet() + ")");
            }
            return table;
        }
    }

    /**
     * The first-order effect at each hook point, by position and head.
     *
     * @throws ArrakisException when the two batches differ in shape
     */
    public static Estimates estimate(HookedTransformer model, TokenBatch clean, TokenBatch corrupted,
            LogitMetric metric, Collection<HookPoint> points) {
        if (clean.batchSize() != corrupted.batchSize() || clean.sequenceLength() != corrupted.sequenceLength()) {
            throw new ArrakisException("attribution patching needs clean and corrupted inputs of one shape, but clean"
                    + " is " + clean.batchSize() + " rows of " + clean.sequenceLength() + " tokens and corrupted "
                    + corrupted.batchSize() + " rows of " + corrupted.sequenceLength());
        }
        Set<String> names = new LinkedHashSet<>();
        points.forEach(point -> names.add(point.name()));
        Map<String, EffectTable> tables = new LinkedHashMap<>();
        try (ForwardResult cleanRun = model.runWithCache(clean, names.toArray(String[]::new))) {
            double cleanMetric = GradientAccess.value(metric, cleanRun.logits());
            double corruptedMetric = GradientAccess.differentiate(model, corrupted, RunOptions.none(), metric,
                    List.copyOf(names), (point, activation, gradient) -> tables.put(point.name(),
                            table(point, cleanRun.cache().get(point.name()), activation, gradient)));
            Map<String, EffectTable> forwardOrder = new LinkedHashMap<>();
            names.forEach(name -> forwardOrder.put(name, tables.get(name)));
            return new Estimates(cleanMetric, corruptedMetric, forwardOrder);
        }
    }

    /** The grids, each estimated at every layer, all from the same three passes. */
    public static Map<PatchingGrid, AttributionGrid> grids(HookedTransformer model, TokenBatch clean,
            TokenBatch corrupted, LogitMetric metric, PatchingGrid... grids) {
        Set<HookPoint> points = new LinkedHashSet<>();
        for (PatchingGrid grid : grids) {
            points.addAll(model.hookPoints().inEachBlock(grid.hook()));
        }
        Estimates estimates = estimate(model, clean, corrupted, metric, points);
        Map<PatchingGrid, AttributionGrid> result = new EnumMap<>(PatchingGrid.class);
        for (PatchingGrid grid : grids) {
            result.put(grid, gridOf(grid, model.hookPoints().inEachBlock(grid.hook()), estimates));
        }
        return result;
    }

    private static AttributionGrid gridOf(PatchingGrid grid, List<HookPoint> byLayer, Estimates estimates) {
        int layers = byLayer.size();
        EffectTable first = estimates.table(byLayer.get(0));
        int heads = first.heads();
        int positions = first.positions();
        int[] shape = grid.byHead() && grid.byPosition() ? new int[] {layers, heads, positions}
                : grid.byHead() ? new int[] {layers, heads} : new int[] {layers, positions};
        double[] values = new double[java.util.Arrays.stream(shape).reduce(1, Math::multiplyExact)];
        int next = 0;
        for (HookPoint point : byLayer) {
            EffectTable table = estimates.table(point);
            if (grid.byHead() && grid.byPosition()) {
                for (int head = 0; head < heads; head++) {
                    for (int position = 0; position < positions; position++) {
                        values[next++] = table.at(position, head);
                    }
                }
            } else if (grid.byHead()) {
                for (int head = 0; head < heads; head++) {
                    values[next++] = table.sum(null, new int[] {head});
                }
            } else {
                for (int position = 0; position < positions; position++) {
                    values[next++] = table.sum(new int[] {position}, null);
                }
            }
        }
        return new AttributionGrid(grid, shape, values);
    }

    /** {@code (clean - corrupted) · gradient}, summed over every axis but position and head. */
    private static EffectTable table(HookPoint point, NDArray clean, NDArray corrupted, NDArray gradient) {
        long[] shape = corrupted.getShape().getShape();
        int positionAxis = axis(point, Dim.POS, Dim.QUERY_POS);
        int headAxis = axis(point, Dim.HEAD, Dim.KV_HEAD);
        int positions = positionAxis < 0 ? 1 : (int) shape[positionAxis];
        int heads = headAxis < 0 ? 1 : (int) shape[headAxis];
        float[] c = clean.toType(DataType.FLOAT32, false).toFloatArray();
        float[] x = corrupted.toType(DataType.FLOAT32, false).toFloatArray();
        float[] g = gradient.toType(DataType.FLOAT32, false).toFloatArray();
        long[] strides = new long[shape.length];
        long stride = 1;
        for (int axis = shape.length - 1; axis >= 0; axis--) {
            strides[axis] = stride;
            stride *= shape[axis];
        }
        double[] sums = new double[positions * heads];
        for (int i = 0; i < g.length; i++) {
            int position = positionAxis < 0 ? 0 : (int) (i / strides[positionAxis] % shape[positionAxis]);
            int head = headAxis < 0 ? 0 : (int) (i / strides[headAxis] % shape[headAxis]);
            sums[position * heads + head] += (double) (c[i] - x[i]) * g[i];
        }
        float[] values = new float[sums.length];
        for (int i = 0; i < sums.length; i++) {
            values[i] = (float) sums[i];
        }
        return new EffectTable(point, positions, heads, values);
    }

    private static int axis(HookPoint point, Dim one, Dim other) {
        int index = point.dims().indexOf(one);
        return index >= 0 ? index : point.dims().indexOf(other);
    }
}
