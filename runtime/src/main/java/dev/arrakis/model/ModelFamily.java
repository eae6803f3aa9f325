package dev.arrakis.model;

import dev.arrakis.spec.ModelConfig;
import java.util.List;
import java.util.Set;

/**
 * A transformer family as data: how its checkpoint tensors map to the canonical weights the single forward
 * implementation reads. How its {@code config.json} maps to a {@link ModelConfig} lives in
 * {@link dev.arrakis.spec.ConfigShapes}, which build-time validation shares.
 */
public interface ModelFamily {

    /** The HF {@code model_type} values this family loads. */
    Set<String> modelTypes();

    /**
     * Prefixes the checkpoint's tensor names may carry (e.g. {@code transformer.} for a *LMHeadModel save); the
     * empty prefix is always tried too.
     */
    List<String> checkpointPrefixes();

    /**
     * Where each canonical weight comes from.
     *
     * @param checkpointNames the checkpoint's tensor names with the prefix removed, so a family can choose, say,
     *     between a stored and a tied unembedding
     */
    List<WeightRule> weightRules(ModelConfig config, Set<String> checkpointNames);

    /** Tensors the checkpoint may hold that are not weights (cached masks and the like), skipped on load. */
    boolean isBuffer(String checkpointName);
}
