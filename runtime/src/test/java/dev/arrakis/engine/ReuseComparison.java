package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.arrakis.model.HookedTransformer;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.RunOutcome;
import java.util.List;

/** Runs one run with base-run reuse on and off on the same model and compares every point's value. */
final class ReuseComparison {
    /** f32 rounding of two different but equivalent orders of the same sums. */
    static final double TOLERANCE = 1e-5;

    private ReuseComparison() {}

    /** The run's outcome with reuse on ([0]) and off ([1]). */
    static RunOutcome[] runBoth(HookedTransformer model, TestDefinition definition, String runName,
            RunnerOptions options) {
        RunOutcome[] outcomes = new RunOutcome[2];
        for (boolean reuse : new boolean[] {true, false}) {
            try (ExperimentRunner runner = ExperimentRunner.open(definition,
                    options.withModel(model).withBaseRunReuse(reuse))) {
                outcomes[reuse ? 0 : 1] = runner.run(runName);
            }
        }
        return outcomes;
    }

    /** Every point's value equal within {@link #TOLERANCE}, and the largest difference seen. */
    static double assertSameValues(String what, RunOutcome reused, RunOutcome full) {
        List<Object> expected = full.values();
        List<Object> actual = reused.values();
        assertEquals(expected.size(), actual.size(), what + ": points with reuse " + actual.size() + " vs without "
                + expected.size());
        double largest = 0;
        for (int point = 0; point < expected.size(); point++) {
            double[] want = numbers(expected.get(point));
            double[] got = numbers(actual.get(point));
            assertEquals(want.length, got.length, what + " point " + full.coordinates(point) + ": values");
            for (int i = 0; i < want.length; i++) {
                double difference = Math.abs(want[i] - got[i]);
                if (!(difference <= TOLERANCE)) {
                    fail(what + " point " + full.coordinates(point) + " value " + i + ": with reuse " + got[i]
                            + ", without " + want[i] + " (|diff| " + difference + " > " + TOLERANCE + ")");
                }
                largest = Math.max(largest, difference);
            }
        }
        return largest;
    }

    /** Some point's value differs from another's: the comparison could tell a wrong start from a right one. */
    static void assertPointsDiffer(String what, RunOutcome outcome) {
        double[] first = numbers(outcome.values().get(0));
        for (Object value : outcome.values()) {
            double[] other = numbers(value);
            for (int i = 0; i < first.length; i++) {
                if (Math.abs(first[i] - other[i]) > 1e-3) {
                    return;
                }
            }
        }
        assertTrue(false, what + ": every point gave " + java.util.Arrays.toString(first));
    }

    static double[] numbers(Object value) {
        if (value instanceof ArrayValue array) {
            return array.values();
        }
        if (value instanceof Number number) {
            return new double[] {number.doubleValue()};
        }
        throw new AssertionError("a value of type " + (value == null ? "null" : value.getClass()));
    }

    static long work(RunOutcome outcome) {
        return outcome.record().timings().layerTokens();
    }
}
