package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.engine.SweepPlan.Edit;
import dev.arrakis.engine.SweepPlan.Source;
import dev.arrakis.hooks.Hook;
import dev.arrakis.hooks.HookContext;
import dev.arrakis.spec.Dim;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The hooks of one batched pass, in which point {@code j} of the pass owns rows {@code j*B .. j*B+B-1} (the model
 * input repeated once per point). Each affected hook point gets one hook; each intervention that touches the point
 * becomes one vectorised step of it: {@code out = a * (1 - sel) + replacement * sel}, where {@code sel} is the outer
 * product of a {@code [rows, pos]} mask and (for heads or neurons) a {@code [rows, feature]} mask built in Java. A
 * row whose point does not touch the hook has a zero mask, so it flows on unchanged, and where the mask is one the
 * replacement is written exactly.
 */
final class BatchedEdits {
    private BatchedEdits() {}

    /**
     * @param pointEdits the edits of each point of the pass, in row order
     * @param batch rows per point
     * @param sequenceLength the input's length
     */
    static Map<HookPoint, Hook> hooks(List<List<Edit>> pointEdits, int batch, int sequenceLength, ModelConfig config,
            CleanActivations clean) {
        return hooks(pointEdits, batch, sequenceLength, config, clean, 0);
    }

    /**
     * The hooks of a pass that computes only positions {@code firstPosition..} of the input (resumed from its base
     * run): masks cover those positions, shifted to start at 0, and replacements are cut to them along the position
     * axis (the query axis of scores and patterns). Every edit must lie at {@code firstPosition} or after.
     */
    static Map<HookPoint, Hook> hooks(List<List<Edit>> pointEdits, int batch, int sequenceLength, ModelConfig config,
            CleanActivations clean, int firstPosition) {
        int rows = pointEdits.size() * batch;
        Map<HookPoint, TreeMap<Integer, MaskStep.Builder>> byHook = new LinkedHashMap<>();
        for (int point = 0; point < pointEdits.size(); point++) {
            for (Edit edit : pointEdits.get(point)) {
                MaskStep.Builder step = byHook.computeIfAbsent(edit.point(), key -> new TreeMap<>())
                        .computeIfAbsent(edit.intervention(),
                                i -> new MaskStep.Builder(edit, rows, sequenceLength, firstPosition, config));
                step.mark(point * batch, batch, edit);
            }
        }
        Map<HookPoint, Hook> hooks = new LinkedHashMap<>();
        byHook.forEach((hook, steps) -> {
            List<MaskStep> built = new ArrayList<>();
            steps.values().forEach(step -> built.add(step.build(clean, pointEdits.size(), batch)));
            hooks.put(hook, new StepsHook(built));
        });
        return hooks;
    }

    /** Runs an intervention's steps at one hook point in declaration order, so a later one wins where they overlap. */
    private record StepsHook(List<MaskStep> steps) implements Hook {
        @Override
        public NDArray apply(NDArray activation, HookContext context) {
            NDArray current = activation;
            for (MaskStep step : steps) {
                current = step.apply(current, context);
            }
            return current;
        }
    }

    /**
     * One intervention at one hook point across the pass's rows.
     *
     * @param positionMask {@code [rows, pos]}: 1 where the point's edit applies
     * @param featureMask {@code [rows, feature]} along {@code featureDim}, or null for whole vectors
     * @param replacement the values written where the mask is one: null for zeros; {@code [1, ...]} (a mean) or
     *     {@code [batch, ...]} (tiled over the pass's points)
     * @param replacementShape its shape
     * @param points how many points the pass holds
     */
    private record MaskStep(
            int computedLength,
            float[] positionMask,
            Dim featureDim,
            int featureSize,
            float[] featureMask,
            float[] replacement,
            long[] replacementShape,
            int points) {

        NDArray apply(NDArray activation, HookContext context) {
            NDManager scope = context.scope();
            List<Dim> dims = context.point().dims();
            int rank = dims.size();
            long rows = activation.getShape().get(0);
            int positionAxis = dims.contains(Dim.POS) ? dims.indexOf(Dim.POS) : dims.indexOf(Dim.QUERY_POS);
            if (positionAxis < 0) {
                throw new IllegalStateException(context.point().name() + " has no position axis");
            }
            NDArray selected = scope.create(positionMask, maskShape(rank, rows, positionAxis, computedLength));
            if (featureMask != null) {
                selected = selected.mul(scope.create(featureMask,
                        maskShape(rank, rows, dims.indexOf(featureDim), featureSize)));
            }
            if (selected.getDataType() != activation.getDataType()) {
                selected = selected.toType(activation.getDataType(), false);
            }
            NDArray kept = activation.mul(selected.neg().add(1));
            if (replacement == null) {
                return kept;
            }
            NDArray values = scope.create(replacement, new Shape(replacementShape));
            if (values.getDataType() != activation.getDataType()) {
                values = values.toType(activation.getDataType(), false);
            }
            if (replacementShape[0] != 1 && points > 1) {
                long[] repeats = new long[rank];
                Arrays.fill(repeats, 1);
                repeats[0] = points;
                values = values.tile(repeats);
            }
            return kept.add(selected.mul(values));
        }

        /** {@code [rows, 1, .., size, .., 1]}: the mask's own axis at {@code axis}, broadcast over the rest. */
        private static Shape maskShape(int rank, long rows, int axis, long size) {
            long[] shape = new long[rank];
            Arrays.fill(shape, 1);
            shape[0] = rows;
            shape[axis] = size;
            return new Shape(shape);
        }

        static final class Builder {
            private final int firstPosition;
            private final int computedLength;
            private final Dim featureDim;
            private final int featureSize;
            private final Source source;
            private final HookPoint hook;
            private final float[] positionMask;
            private final float[] featureMask;

            Builder(Edit first, int rows, int sequenceLength, int firstPosition, ModelConfig config) {
                this.firstPosition = firstPosition;
                this.computedLength = sequenceLength - firstPosition;
                this.featureDim = first.featureDim();
                this.featureSize = featureDim == null ? 0 : (int) featureDim.size(config, rows, sequenceLength);
                this.source = first.source();
                this.hook = first.point();
                this.positionMask = new float[rows * computedLength];
                this.featureMask = featureDim == null ? null : new float[rows * featureSize];
            }

            void mark(int firstRow, int batch, Edit edit) {
                for (int row = firstRow; row < firstRow + batch; row++) {
                    int base = row * computedLength;
                    if (edit.positions() == null) {
                        if (firstPosition > 0) {
                            throw new IllegalStateException(hook.name() + " edits every position of a pass that"
                                    + " starts at position " + firstPosition);
                        }
                        Arrays.fill(positionMask, base, base + computedLength, 1f);
                    } else {
                        for (int position : edit.positions()) {
                            if (position < firstPosition) {
                                throw new IllegalStateException(hook.name() + " edits position " + position
                                        + " of a pass that starts at position " + firstPosition);
                            }
                            positionMask[base + position - firstPosition] = 1f;
                        }
                    }
                    if (featureMask != null) {
                        for (int feature : edit.features()) {
                            featureMask[row * featureSize + feature] = 1f;
                        }
                    }
                }
            }

            MaskStep build(CleanActivations clean, int points, int batch) {
                float[] replacement;
                long[] shape = null;
                switch (source.kind()) {
                    case ZERO -> replacement = null;
                    case MEAN -> {
                        replacement = clean.mean(source.input(), hook);
                        shape = prepend(1, clean.rowShape(source.input(), hook));
                    }
                    case RESAMPLE -> {
                        replacement = clean.resampled(source.input(), hook);
                        shape = prepend(batch, clean.rowShape(source.input(), hook));
                    }
                    case PATCH -> {
                        replacement = clean.get(source.input(), hook).values();
                        shape = prepend(batch, clean.rowShape(source.input(), hook));
                    }
                    default -> throw new IllegalStateException(source.kind().name());
                }
                if (replacement != null && firstPosition > 0) {
                    List<Dim> dims = hook.dims();
                    int axis = dims.contains(Dim.POS) ? dims.indexOf(Dim.POS) : dims.indexOf(Dim.QUERY_POS);
                    replacement = fromPosition(replacement, shape, axis, firstPosition);
                    shape = shape.clone();
                    shape[axis] = computedLength;
                }
                return new MaskStep(computedLength, positionMask, featureDim, featureSize, featureMask, replacement,
                        shape, points);
            }

            /** The values of a row-major array of {@code shape} at indices {@code from..} along {@code axis}. */
            private static float[] fromPosition(float[] values, long[] shape, int axis, int from) {
                int outer = 1;
                for (int i = 0; i < axis; i++) {
                    outer *= (int) shape[i];
                }
                int along = (int) shape[axis];
                int inner = values.length / outer / along;
                int kept = (along - from) * inner;
                float[] cut = new float[outer * kept];
                for (int block = 0; block < outer; block++) {
                    System.arraycopy(values, (block * along + from) * inner, cut, block * kept, kept);
                }
                return cut;
            }

            private static long[] prepend(long first, long[] rest) {
                long[] shape = new long[rest.length + 1];
                shape[0] = first;
                System.arraycopy(rest, 0, shape, 1, rest.length);
                return shape;
            }
        }
    }
}
