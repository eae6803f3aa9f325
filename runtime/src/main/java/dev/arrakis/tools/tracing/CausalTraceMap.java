package dev.arrakis.tools.tracing;

import dev.arrakis.annotations.Restore;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.ArrayResult;
import java.util.Arrays;

/**
 * What causal tracing measured: the answer's probability at the last position with the clean state restored at each
 * (layer, position) of a corrupted run, averaged over noise samples and prompts, and the two baselines. The run store
 * records, and plots draw, the restored probability as a {@code layer x pos} heat map.
 *
 * @param restore what was restored
 * @param window the layers each MLP or attention restore spanned
 * @param probability {@code [layer][position]}: mean over prompts of the answer's probability, restored there
 * @param clean mean over prompts of the answer's probability on the clean prompts
 * @param corrupted mean over prompts and samples of the answer's probability with the subject corrupted, nothing
 *     restored
 * @param byPrompt {@code [prompt][layer][position]}: each prompt's own map (mean over samples)
 * @param cleanByPrompt each prompt's clean probability
 * @param corruptedByPrompt each prompt's corrupted probability (mean over samples)
 */
public record CausalTraceMap(
        Restore restore,
        int window,
        double[][] probability,
        double clean,
        double corrupted,
        double[][][] byPrompt,
        double[] cleanByPrompt,
        double[] corruptedByPrompt) implements ArrayResult {

    public int layers() {
        return probability.length;
    }

    public int positions() {
        return probability[0].length;
    }

    /** ROME's indirect effect at one cell: restored probability minus the corrupted baseline. */
    public double indirectEffect(int layer, int position) {
        return probability[layer][position] - corrupted;
    }

    /** The cell whose restore recovers the most, as {@code {layer, position}}. */
    public int[] strongest() {
        int[] best = {0, 0};
        for (int layer = 0; layer < layers(); layer++) {
            for (int position = 0; position < positions(); position++) {
                if (probability[layer][position] > probability[best[0]][best[1]]) {
                    best = new int[] {layer, position};
                }
            }
        }
        return best;
    }

    @Override
    public ArrayValue toArrayValue() {
        return new ArrayValue("CausalTraceMap", new long[] {layers(), positions()},
                Arrays.stream(probability).flatMapToDouble(Arrays::stream).toArray());
    }
}
