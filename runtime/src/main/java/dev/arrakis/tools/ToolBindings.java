package dev.arrakis.tools;

import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.annotations.ErrorMeasure;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.annotations.HeadPattern;
import dev.arrakis.annotations.Restore;
import dev.arrakis.experiment.ToolBinding;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.surgery.ModelSurgery;
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
import dev.arrakis.tools.generation.Generation;
import dev.arrakis.tools.generation.GenerationListener;
import dev.arrakis.tools.generation.GenerationSettings;
import dev.arrakis.tools.generation.Generator;

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

    /**
     * {@code @Generate(...) Generation}: each row of the point's input continued with the point's interventions
     * active at every step; with interventions every step reruns the whole sequence (no key/value cache), so they see
     * every position as in the run's own pass.
     */
    public static ToolBinding<Generation> generate(int maxNewTokens, double temperature, int topK, double topP,
            long seed, long[] stopTokens) {
        GenerationSettings settings =
                new GenerationSettings(maxNewTokens, temperature, topK, topP, seed, stopTokens, true, 0);
        return point -> {
            boolean intervenes = !point.interventions(point.tokens().sequenceLength()).hooks().isEmpty();
            return Generator.generate(point.model(), Generator.prompts(point.tokens()),
                    intervenes ? settings.withoutKeyValueCache() : settings, point::interventions,
                    GenerationListener.NONE);
        };
    }

    /** {@code @CausalTrace(restore, window, samples, noise, seed) CausalTracer}: the run method traces its input. */
    public static ToolBinding<CausalTracer> causalTrace(Restore restore, int window, int samples, double noise,
            long seed) {
        TraceOptions options = new TraceOptions(restore, window, samples, noise, seed);
        return point -> new CausalTracer(point.model(), options);
    }

    /**
     * {@code @Edit(deleteLayers = ...) HookedTransformer}: a view of the model without those layers, made for each
     * point in the point's scope, which frees it.
     */
    public static ToolBinding<HookedTransformer> deleteLayers(int[] layers) {
        return point -> ModelSurgery.on(point.model(), point.scope()).deleteLayers(layers).build();
    }

    /** {@code @Edit(permuteLayers = ...) HookedTransformer}: as {@link #deleteLayers}, the layers reordered. */
    public static ToolBinding<HookedTransformer> permuteLayers(int[] order) {
        return point -> ModelSurgery.on(point.model(), point.scope()).permuteLayers(order).build();
    }

    /** {@code @Edit(duplicateLayer = ...) HookedTransformer}: as {@link #deleteLayers}, a layer run twice. */
    public static ToolBinding<HookedTransformer> duplicateLayer(int layer) {
        return point -> ModelSurgery.on(point.model(), point.scope()).duplicateLayer(layer).build();
    }

    /** {@code @BlendHeads(layer, head, into, alpha) HookedTransformer}: as {@link #deleteLayers}, two heads blended. */
    public static ToolBinding<HookedTransformer> blendHeads(int layer, int head, int into, double alpha) {
        return point -> ModelSurgery.on(point.model(), point.scope()).blendHeads(layer, head, into, alpha).build();
    }
}
