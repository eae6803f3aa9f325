package dev.arrakis.tools;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.annotations.StackResidual;
import dev.arrakis.experiment.ToolBinding;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.tools.lens.LayerLogits;
import dev.arrakis.tools.lens.LogitLens;
import dev.arrakis.tools.residual.ResidualStack;
import dev.arrakis.tools.residual.ResidualStream;
import dev.arrakis.tools.weights.CompositionScores;

/**
 * The bindings generated runners use for parameters that ask for an analysis tool by annotation: each reads what the
 * point cached (the processor caches exactly what the tool reads) and puts its arrays in the point's scope.
 */
public final class ToolBindings {
    private ToolBindings() {}

    /** {@code @StackResidual(value, layer, mlpInput) ResidualStack}; {@code layer} {@link Residual#END} is the end. */
    public static ToolBinding<ResidualStack> residual(Breakdown breakdown, int layer, boolean mlpInput) {
        return point -> ResidualStream.stack(point.model(), point.cache(), breakdown,
                new StreamPoint(layer == StackResidual.END ? point.config().layers() : layer, mlpInput), point.scope());
    }

    /** {@code @LogitLens(norm) LayerLogits}. */
    public static ToolBinding<LayerLogits> logitLens(FinalNorm norm) {
        return point -> LogitLens.read(point.model(), point.cache(), norm, point.scope());
    }

    /** {@code @Composition(kind) CompositionScores}: from the weights, the same at every point. */
    public static ToolBinding<CompositionScores> composition(CompositionKind kind) {
        return point -> CompositionScores.of(point.model(), kind);
    }
}
