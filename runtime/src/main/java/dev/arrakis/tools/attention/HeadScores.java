package dev.arrakis.tools.attention;

import dev.arrakis.ArrakisException;
import dev.arrakis.runs.ArrayResult;
import dev.arrakis.runs.ArrayValue;
import java.util.Arrays;
import java.util.Locale;

/**
 * One number per attention head, {@code [layer][head]}: a detector score, an entropy.
 *
 * @param measure what the numbers are, e.g. {@code induction_head (mul)}
 */
public record HeadScores(String measure, double[][] byLayerAndHead) implements ArrayResult {

    public HeadScores {
        byLayerAndHead = deepCopy(byLayerAndHead);
    }

    @Override
    public double[][] byLayerAndHead() {
        return deepCopy(byLayerAndHead);
    }

    /** {@code [layer, head]}, as the run store records it and plots draw it. */
    @Override
    public ArrayValue toArrayValue() {
        int heads = byLayerAndHead.length == 0 ? 0 : byLayerAndHead[0].length;
        return new ArrayValue("HeadScores", new long[] {byLayerAndHead.length, heads},
                Arrays.stream(byLayerAndHead).flatMapToDouble(Arrays::stream).toArray());
    }

    public int layers() {
        return byLayerAndHead.length;
    }

    public int heads() {
        return byLayerAndHead.length == 0 ? 0 : byLayerAndHead[0].length;
    }

    public double get(int layer, int head) {
        if (layer < 0 || layer >= layers() || head < 0 || head >= heads()) {
            throw new ArrakisException("head L" + layer + "H" + head + " does not exist: " + measure + " has layers 0.."
                    + (layers() - 1) + " and heads 0.." + (heads() - 1));
        }
        return byLayerAndHead[layer][head];
    }

    /** The head with the highest score, as {@code {layer, head}}; NaN scores are passed over. */
    public int[] best() {
        int[] best = null;
        for (int layer = 0; layer < layers(); layer++) {
            for (int head = 0; head < heads(); head++) {
                double score = byLayerAndHead[layer][head];
                if (!Double.isNaN(score) && (best == null || score > byLayerAndHead[best[0]][best[1]])) {
                    best = new int[] {layer, head};
                }
            }
        }
        return best;
    }

    /** A table: one line per layer, one column per head, four decimals. */
    @Override
    public String toString() {
        StringBuilder table = new StringBuilder(measure).append('\n').append("      ");
        for (int head = 0; head < heads(); head++) {
            table.append(String.format(Locale.ROOT, "%8s", "H" + head));
        }
        for (int layer = 0; layer < layers(); layer++) {
            table.append('\n').append(String.format(Locale.ROOT, "%-6s", "L" + layer));
            for (int head = 0; head < heads(); head++) {
                table.append(String.format(Locale.ROOT, "%8.4f", byLayerAndHead[layer][head]));
            }
        }
        return table.toString();
    }

    private static double[][] deepCopy(double[][] values) {
        double[][] copy = new double[values.length][];
        for (int row = 0; row < values.length; row++) {
            copy[row] = values[row].clone();
        }
        return copy;
    }
}
