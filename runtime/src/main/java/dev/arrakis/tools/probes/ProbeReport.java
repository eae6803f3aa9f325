package dev.arrakis.tools.probes;

import java.util.List;
import java.util.Locale;

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
        double[][] bias) {

    /** One line per hook: {@code blocks.0.hook_resid_pre: accuracy 0.776, control 0.914, selectivity -0.138}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("ProbeReport (held-out majority " + String.format(Locale.ROOT, "%.3f",
                majority) + ")");
        for (int h = 0; h < hooks.size(); h++) {
            text.append(String.format(Locale.ROOT, "%n  %s: accuracy %.3f, control %.3f, selectivity %.3f",
                    hooks.get(h), accuracy[h], controlAccuracy[h], selectivity[h]));
        }
        return text.toString();
    }
}
