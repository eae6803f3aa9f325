package dev.arrakis.spec;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.FinalNorm;
import java.util.ArrayList;
import java.util.List;

/**
 * What the analyses a run method asks for by a parameter read from a pass, beside {@link ResidualLayout}: the hook
 * points the annotation processor caches for them, and the runtime tools read.
 */
public final class Analyses {
    private Analyses() {}

    /** The logit lens: the residual before each block and at the end, and the final norm's scale if cached. */
    public static List<HookPoint> logitLensHooks(HookPoints points, FinalNorm norm) {
        List<HookPoint> hooks = new ArrayList<>(ResidualLayout.requiredHooks(points, Breakdown.ACCUMULATED,
                StreamPoint.end(points.config())));
        if (norm == FinalNorm.CACHED_SCALE) {
            hooks.add(points.lnFinal().scale());
        }
        return hooks;
    }

    /** Head detectors and other per-head attention scores: every layer's attention pattern. */
    public static List<HookPoint> attentionPatternHooks(HookPoints points) {
        List<HookPoint> hooks = new ArrayList<>();
        for (int layer = 0; layer < points.config().layers(); layer++) {
            hooks.add(points.block(layer).pattern());
        }
        return hooks;
    }
}
