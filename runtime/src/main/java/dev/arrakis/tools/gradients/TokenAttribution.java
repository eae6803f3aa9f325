package dev.arrakis.tools.gradients;

/**
 * How much each input token contributed to a metric, one score per row and position.
 *
 * @param scores {@code [row][position]}
 * @param metric the metric on the input
 * @param baselineMetric the metric on the baseline (integrated gradients), or NaN for input × gradient
 * @param steps the integration steps (integrated gradients), or 0 for input × gradient
 */
public record TokenAttribution(float[][] scores, double metric, double baselineMetric, int steps) {

    /** The sum of every score: for integrated gradients, close to {@code metric - baselineMetric} (completeness). */
    public double total() {
        double sum = 0;
        for (float[] row : scores) {
            for (float score : row) {
                sum += score;
            }
        }
        return sum;
    }

    /** {@code total() - (metric - baselineMetric)}: how far integrated gradients is from complete at these steps. */
    public double completenessGap() {
        return total() - (metric - baselineMetric);
    }
}
