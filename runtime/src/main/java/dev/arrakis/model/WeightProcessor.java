package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Rewrites the canonical weights as TransformerLens's {@code ProcessWeights.process_weights} does, in its order: fold
 * norms, centre writing weights, centre the unembedding, fold value biases (then centre b_O again). Works in f32 (as
 * TransformerLens upcasts reduced-precision weights first) in a scratch scope; the rewritten weights replace the
 * originals in the model's manager and the originals are closed, so processing never keeps two copies.
 */
final class WeightProcessor {
    private final ModelConfig config;
    private final boolean layerNorm;
    private final Map<String, NDArray> original;
    private final Map<String, NDArray> rewritten = new LinkedHashMap<>();
    private final Map<String, NDArray> scratchCopies = new LinkedHashMap<>();
    private final NDManager scratch;

    private WeightProcessor(ModelConfig config, Map<String, NDArray> original, NDManager scratch) {
        this.config = config;
        this.layerNorm = config.architecture().normalization() == Architecture.Normalization.LAYER_NORM;
        this.original = original;
        this.scratch = scratch;
    }

    /**
     * The weights after the processing steps the model admits ({@link WeightProcessing#effectiveFor}); names are
     * kept, and {@code unembed.b_U} / {@code blocks.{l}.mlp.b_gate} are added where a LayerNorm bias folds into them.
     */
    static Map<String, NDArray> process(Map<String, NDArray> weights, ModelDescription description,
            WeightProcessing requested, NDManager manager, Precision precision) {
        WeightProcessing steps = requested.effectiveFor(description);
        ModelConfig config = description.config();
        if (steps.isNone()) {
            return weights;
        }
        Map<String, NDArray> result = new LinkedHashMap<>(weights);
        try (NDManager scratch = manager.newSubManager()) {
            WeightProcessor processor = new WeightProcessor(config, weights, scratch);
            processor.run(steps);
            for (Map.Entry<String, NDArray> entry : processor.rewritten.entrySet()) {
                NDArray value = precision.narrow(entry.getValue());
                value.attach(manager);
                result.put(entry.getKey(), value);
            }
        }
        Set<NDArray> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        kept.addAll(result.values());
        for (NDArray replaced : weights.values()) {
            if (!kept.contains(replaced)) {
                replaced.close();
            }
        }
        return result;
    }

    private void run(WeightProcessing steps) {
        if (steps.foldLayerNorm()) {
            for (int layer = 0; layer < config.layers(); layer++) {
                String block = "blocks." + layer + ".";
                foldNorm(block + "ln1", block + "attn.W_Q", block + "attn.b_Q");
                foldNorm(block + "ln1", block + "attn.W_K", block + "attn.b_K");
                foldNorm(block + "ln1", block + "attn.W_V", block + "attn.b_V");
                foldNorm(block + "ln2", block + "mlp.W_in", block + "mlp.b_in");
                if (config.architecture().gatedMlp()) {
                    foldNorm(block + "ln2", block + "mlp.W_gate", block + "mlp.b_gate");
                }
                makeIdentity(block + "ln1");
                makeIdentity(block + "ln2");
            }
            foldNorm("ln_final", "unembed.W_U", "unembed.b_U");
            makeIdentity("ln_final");
        }
        if (steps.centerWritingWeights()) {
            centerOverModel("embed.W_E");
            if (original.get("pos_embed.W_pos") != null) {
                centerOverModel("pos_embed.W_pos");
            }
            for (int layer = 0; layer < config.layers(); layer++) {
                String block = "blocks." + layer + ".";
                for (String writer : new String[] {"attn.W_O", "attn.b_O", "mlp.W_out", "mlp.b_out"}) {
                    centerOverModel(block + writer);
                }
            }
        }
        if (steps.centerUnembed()) {
            NDArray unembedding = read("unembed.W_U");
            rewritten.put("unembed.W_U", unembedding.sub(unembedding.mean(new int[] {1}, true)));
            NDArray bias = find("unembed.b_U");
            if (bias != null) {
                rewritten.put("unembed.b_U", bias.sub(bias.mean()));
            }
        }
        if (steps.foldValueBiases()) {
            for (int layer = 0; layer < config.layers(); layer++) {
                foldValueBias("blocks." + layer + ".attn.");
                if (steps.centerWritingWeights()) {
                    centerOverModel("blocks." + layer + ".attn.b_O");
                }
            }
        }
    }

    /**
     * {@code (x̂·w + b)·W + c = x̂·(diag(w)·W) + (b·W + c)}; with LayerNorm x̂ has zero mean over d_model, so W may
     * also be centred over d_model. A reader without a bias gets one only when there is a norm bias to fold.
     */
    private void foldNorm(String norm, String readerName, String readerBiasName) {
        NDArray gain = read(norm + ".w");
        NDArray normBias = find(norm + ".b");
        NDArray reader = read(readerName);
        if (normBias != null) {
            NDArray folded = normBias.matMul(reader);
            NDArray readerBias = find(readerBiasName);
            rewritten.put(readerBiasName, readerBias == null ? folded : readerBias.add(folded));
        }
        NDArray scaled = reader.mul(gain.reshape(-1, 1));
        rewritten.put(readerName, layerNorm ? scaled.sub(scaled.mean(new int[] {0}, true)) : scaled);
    }

    /** The norm now only normalises (TransformerLens's LNPre / RMSPre): gain one, bias zero. */
    private void makeIdentity(String norm) {
        rewritten.put(norm + ".w", scratch.ones(read(norm + ".w").getShape()));
        if (find(norm + ".b") != null) {
            rewritten.put(norm + ".b", scratch.zeros(read(norm + ".b").getShape()));
        }
    }

    /** Subtracts the mean over the last (d_model) axis, which every LayerNorm reading it removes anyway. */
    private void centerOverModel(String name) {
        NDArray weight = read(name);
        rewritten.put(name, weight.sub(weight.mean(new int[] {-1}, true)));
    }

    /** b_O += Σ_h b_V[group(h)]·W_O[h], b_V = 0; with grouped-query attention a KV head's bias serves its group. */
    private void foldValueBias(String attention) {
        NDArray valueBias = read(attention + "b_V");
        long dHead = config.dHead();
        long group = config.heads() / config.kvHeads();
        NDArray perQueryHead = valueBias.reshape(config.kvHeads(), 1, dHead)
                .broadcast(config.kvHeads(), group, dHead)
                .reshape(1, (long) config.heads() * dHead);
        NDArray folded = perQueryHead.matMul(read(attention + "W_O")).reshape(config.dModel());
        rewritten.put(attention + "b_O", read(attention + "b_O").add(folded));
        rewritten.put(attention + "b_V", scratch.zeros(valueBias.getShape()));
    }

    /** The weight as rewritten so far, in f32 in the scratch scope. */
    private NDArray read(String name) {
        NDArray value = find(name);
        if (value == null) {
            throw new ModelLoadException("cannot process weights: no weight '" + name + "'");
        }
        return value;
    }

    private NDArray find(String name) {
        NDArray rewrittenValue = rewritten.get(name);
        if (rewrittenValue != null) {
            return rewrittenValue;
        }
        NDArray source = original.get(name);
        if (source == null) {
            return null;
        }
        // A copy owned by the scratch scope: every op below then allocates there, never in the model's manager.
        return scratchCopies.computeIfAbsent(name, unused -> {
            NDArray copy = source.toType(DataType.FLOAT32, true);
            copy.attach(scratch);
            return copy;
        });
    }
}
