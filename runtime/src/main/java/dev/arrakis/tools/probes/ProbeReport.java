package dev.arrakis.tools.probes;

import java.util.List;

/**
 * Linear classification probes at several hook points, each scored on held-out examples against its control task.
 * A record of numbers, so the run store keeps it whole, probe weights included.
 *
 * @param hooks the probed hook points, in order
 * @param accuracy held-out accuracy on the real labels, per hook
 * @param controlAccuracy held-out accuracy of the same probe fitted on the control task's labels, per hook
 * @param selectivity {@code accuracy - controlAccuracy}, per hook (Hewitt and Liang 2019)
 * @param majority held-out accuracy of always answering the most frequent training label
 * @param weights {@code [hook][class][d_model]} of the real-label probes
 * @param bias {@code [hook][class]} of the real-label probes
 */
public record ProbeReport(
        List<String> hooks,
        double[] accuracy,
        double[] controlAccuracy,
        double[] selectivity,
        double majority,
        double[][][] weights,
        double[][] bias) {}
