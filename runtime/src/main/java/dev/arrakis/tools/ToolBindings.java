package dev.arrakis.tools;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.annotations.ErrorMeasure;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.annotations.HeadPattern;
import dev.arrakis.annotations.Restore;
import dev.arrakis.experiment.ToolBinding;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.tools.attention.DetectionPattern;
import dev.arrakis.tools.attention.HeadDetector;
import dev.arrakis.tools.attention.HeadScores;
import dev.arrakis.tools.lens.LayerLogits;
import dev.arrakis.tools.lens.LogitLens;
import dev.arrakis.tools.residual.ResidualStack;
import dev.arrakis.tools.residual.ResidualStream;
import dev.arrakis.tools.tracing.CausalTracer;
import dev.arrakis.tools.tracing.TraceOptions;
import dev.arrakis.tools.weights.CompositionScores;

/**
 * The bindings generated runners use for parameters that ask for an analysis tool by annotation: each reads what the
 * point cached (the processor caches exactly what the tool reads) and puts its arrays in the point's scope.
 */
public final class ToolBindings {
    private ToolBindings() {}

    /** {@code @StackResidual(value, layer, mlpInput) ResidualStack}, its point as {@link StreamPoint#requested}. */
    public static ToolBinding<ResidualStack> residual(Breakdown breakdown, int layer, boolean mlpInput) {
        return point -> ResidualStream.stack(point.model(), point.cache(), breakdown,
                StreamPoint.requested(layer, mlpInput, point.config()), point.scope());
    }

    /** {@code @LogitLens(norm) LayerLogits}. */
    public static ToolBinding<LayerLogits> logitLens(FinalNorm norm) {
        return point -> LogitLens.read(point.model(), point.cache(), norm, point.scope());
    }

    /** {@code @DetectHeads(pattern, measure, excludeBos, excludeCurrentToken) HeadScores}, on the point's tokens. */
    public static ToolBinding<HeadScores> detectHeads(HeadPattern pattern, ErrorMeasure measure, boolean excludeBos,
            boolean excludeCurrentToken) {
        DetectionPattern detection = switch (pattern) {
            case PREVIOUS_TOKEN -> DetectionPattern.PREVIOUS_TOKEN;
            case DUPLICATE_TOKEN -> DetectionPattern.DUPLICATE_TOKEN;
            case INDUCTION -> DetectionPattern.INDUCTION;
        };
        HeadDetector.Options options = new HeadDetector.Options(measure, excludeBos, excludeCurrentToken);
        return point -> HeadDetector.detect(point.cache(), point.model().hookPoints(), point.tokens(), detection,
                options);
    }

    /** {@code @Composition(kind) CompositionScores}: from the weights, the same at every point. */
    public static ToolBinding<CompositionScores> composition(CompositionKind kind) {
        return point -> CompositionScores.of(point.model(), kind);
    }

    /** {@code @CausalTrace(restore, window, samples, noise, seed) CausalTracer}: the run method traces its input. */
    public static ToolBinding<CausalTracer> causalTrace(Restore restore, int window, int samples, double noise,
            long seed) {
        TraceOptions options = new TraceOptions(restore, window, samples, noise, seed);
        return point -> new CausalTracer(point.model(), options);
    }
}
