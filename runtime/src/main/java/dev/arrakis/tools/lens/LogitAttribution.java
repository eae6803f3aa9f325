package dev.arrakis.tools.lens;

import dev.arrakis.util.DidYouMean;
import java.util.List;

/**
 * Each component's direct contribution to a logit (or a logit difference) at every example and position.
 *
 * @param labels the components, as in the stack attributed
 * @param values {@code [component][batch][pos]}
 */
public record LogitAttribution(List<String> labels, float[][][] values) {

    /** One component's contribution at one example and position (negative positions count from the end). */
    public float value(String label, int batch, int position) {
        float[] row = values[indexOf(label)][batch];
        return row[position < 0 ? row.length + position : position];
    }

    /** Every component's contribution at one example and position, in {@link #labels()} order. */
    public float[] byComponent(int batch, int position) {
        float[] contributions = new float[labels.size()];
        for (int c = 0; c < contributions.length; c++) {
            float[] row = values[c][batch];
            contributions[c] = row[position < 0 ? row.length + position : position];
        }
        return contributions;
    }

    private int indexOf(String label) {
        int index = labels.indexOf(label);
        if (index < 0) {
            throw new LensException("no component '" + label + "' in this attribution"
                    + DidYouMean.hint(label, labels) + " (components: " + String.join(", ", labels) + ")");
        }
        return index;
    }
}
