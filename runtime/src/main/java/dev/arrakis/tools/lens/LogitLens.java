package dev.arrakis.tools.lens;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.Analyses;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.HookPoints;
import dev.arrakis.tools.ScopedArrays;
import dev.arrakis.tools.residual.ResidualStack;
import dev.arrakis.tools.residual.ResidualStream;
import java.util.List;

/**
 * The logit lens (nostalgebraist 2020): the residual before each block, and after the last, put through the final
 * norm and the unembedding, {@code unembed(ln_final(resid_l))}, so each layer's running guess at the next token can be
 * read. The final norm is either recomputed per layer or applied with the scale cached from the real final residual
 * ({@link FinalNorm}); both give the model's logits at {@code final_post}. A final logit soft-cap (Gemma 2) is applied
 * as the model applies it.
 */
public final class LogitLens {
    private LogitLens() {}

    /** The hooks a pass must cache for {@link #read}, as the processor caches them for {@code @LogitLens}. */
    public static List<String> requiredHooks(HookPoints points, FinalNorm norm) {
        return Analyses.logitLensHooks(points, norm).stream().map(HookPoint::name).toList();
    }

    /**
     * Every layer's logits {@code [layer, batch, pos, d_vocab]}, labelled {@code 0_pre .. final_post}.
     *
     * @param manager owns the returned logits; nothing else is allocated outside a scope closed before returning
     */
    public static LayerLogits read(HookedTransformer model, ActivationCache cache, FinalNorm norm,
            NDManager manager) {
        TransformerWeights weights = model.weights();
        try (NDManager scope = manager.newSubManager()) {
            ResidualStack accumulated = ResidualStream.stack(model, cache, Breakdown.ACCUMULATED, scope);
            NDArray normalized;
            if (norm == FinalNorm.RECOMPUTED) {
                normalized = ResidualStream.applyFinalNorm(accumulated, model, scope).array();
            } else {
                normalized = ResidualStream.applyCachedNorm(accumulated, model, cache, scope).array()
                        .mul(ScopedArrays.weight(weights.lnFinalWeight(), scope));
                if (weights.lnFinalBias() != null) {
                    normalized = normalized.add(ScopedArrays.weight(weights.lnFinalBias(), scope));
                }
            }
            NDArray logits = normalized.matMul(ScopedArrays.weight(weights.unembedding(), scope));
            double cap = model.description().numerics().finalLogitSoftcap();
            if (cap != 0) {
                logits = logits.div((float) cap).tanh().mul((float) cap);
            }
            logits.attach(manager);
            return new LayerLogits(accumulated.labels(), logits, norm, new Vocabulary(model));
        }
    }
}
