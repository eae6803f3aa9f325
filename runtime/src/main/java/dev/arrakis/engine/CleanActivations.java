package dev.arrakis.engine;

import dev.arrakis.hooks.RunOptions;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoint;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * Activations of unintervened passes, copied into Java memory so that no native array outlives its pass: what
 * mean and resample ablations replace with, and what patching writes in. One cached pass per input.
 */
final class CleanActivations {
    /** One input's activation at one hook point, {@code [batch, ...]} row-major. */
    record Clean(long[] shape, float[] values) {

        int rows() {
            return (int) shape[0];
        }

        int rowSize() {
            return values.length / rows();
        }
    }

    /** What mean and resample ablations derive from one input's activation at one hook point. */
    private enum Derivation { MEAN, RESAMPLE }

    private record DerivedKey(Derivation derivation, String input, HookPoint point) {}

    private final Map<String, Map<HookPoint, Clean>> byInput = new HashMap<>();
    private final Map<DerivedKey, float[]> derived = new HashMap<>();
    private int passes;

    /**
     * @param needed hook points per input name
     * @param inputs the token batch of each input named in {@code needed}
     */
    static CleanActivations capture(BiFunction<TokenBatch, RunOptions, ForwardResult> forward,
            Map<String, Set<HookPoint>> needed, Map<String, TokenBatch> inputs) {
        CleanActivations clean = new CleanActivations();
        needed.forEach((input, hooks) -> {
            if (hooks.isEmpty()) {
                return;
            }
            Map<HookPoint, Clean> captured = new HashMap<>();
            try (ForwardResult result = forward.apply(inputs.get(input),
                    RunOptions.none().withCache(hooks.stream().map(HookPoint::name).toArray(String[]::new)))) {
                for (HookPoint hook : hooks) {
                    var activation = result.cache().get(hook.name());
                    captured.put(hook, new Clean(activation.getShape().getShape(), activation.toFloatArray()));
                }
            }
            clean.byInput.put(input, captured);
            clean.passes++;
        });
        return clean;
    }

    int passes() {
        return passes;
    }

    Clean get(String input, HookPoint hook) {
        Clean clean = byInput.getOrDefault(input, Map.of()).get(hook);
        if (clean == null) {
            throw new IllegalStateException("no clean activation of " + hook.name() + " on input " + input);
        }
        return clean;
    }

    /** The mean over the batch at every position and feature, {@code [1, ...]}. */
    float[] mean(String input, HookPoint hook) {
        return derived.computeIfAbsent(new DerivedKey(Derivation.MEAN, input, hook), key -> {
            Clean clean = get(input, hook);
            int rowSize = clean.rowSize();
            double[] sums = new double[rowSize];
            for (int row = 0; row < clean.rows(); row++) {
                for (int i = 0; i < rowSize; i++) {
                    sums[i] += clean.values()[row * rowSize + i];
                }
            }
            float[] mean = new float[rowSize];
            for (int i = 0; i < rowSize; i++) {
                mean[i] = (float) (sums[i] / clean.rows());
            }
            return mean;
        });
    }

    /** Every example replaced by the next one (the last by the first), {@code [batch, ...]}. */
    float[] resampled(String input, HookPoint hook) {
        return derived.computeIfAbsent(new DerivedKey(Derivation.RESAMPLE, input, hook), key -> {
            Clean clean = get(input, hook);
            int rowSize = clean.rowSize();
            float[] rolled = new float[clean.values().length];
            for (int row = 0; row < clean.rows(); row++) {
                int from = (row + 1) % clean.rows();
                System.arraycopy(clean.values(), from * rowSize, rolled, row * rowSize, rowSize);
            }
            return rolled;
        });
    }

    /** The shape of one example's activation, after the batch axis. */
    long[] rowShape(String input, HookPoint hook) {
        long[] shape = get(input, hook).shape();
        return Arrays.copyOfRange(shape, 1, shape.length);
    }
}
