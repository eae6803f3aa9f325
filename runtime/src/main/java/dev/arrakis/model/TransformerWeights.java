package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The canonical weights the forward pass reads, named as in TransformerLens. Matrices are stored {@code [in, out]}
 * with heads fused along the last (Q, K, V) or first (O) axis, which is what the pass multiplies by; per-head views
 * such as {@link Block#outputByHead()} are made once at load and share storage.
 */
public final class TransformerWeights {
    private final Map<String, NDArray> byName;
    private final List<Block> blocks;
    /** The arrays, by identity, that view a checkpoint file mapped read-only. */
    private final Set<NDArray> fileMapped;

    /**
     * One block's weights; {@code outputByHead} is {@code W_O} viewed as {@code [head, d_head, d_model]}. Norm biases
     * are null under RMSNorm; {@code mlpGateWeight} is null without a gated MLP; the post-norms are null without
     * post-norms; {@code mlpGateBias} exists only where weight processing folded a LayerNorm bias into the gate.
     */
    public record Block(
            NDArray ln1Weight,
            NDArray ln1Bias,
            NDArray ln1PostWeight,
            NDArray queryWeight,
            NDArray queryBias,
            NDArray keyWeight,
            NDArray keyBias,
            NDArray valueWeight,
            NDArray valueBias,
            NDArray outputWeight,
            NDArray outputBias,
            NDArray outputByHead,
            NDArray ln2Weight,
            NDArray ln2Bias,
            NDArray mlpGateWeight,
            NDArray mlpGateBias,
            NDArray mlpInWeight,
            NDArray mlpInBias,
            NDArray mlpOutWeight,
            NDArray mlpOutBias,
            NDArray ln2PostWeight) {}

    /** @param fileMapped the arrays among {@code byName}'s that view a read-only file mapping */
    TransformerWeights(ModelConfig config, Map<String, NDArray> byName, Set<NDArray> fileMapped) {
        this(config, byName, null, fileMapped);
    }

    /**
     * @param derivedArrays where the per-head views made here live, or null for the manager of the weight they view:
     *     a model view that shares another model's weights keeps its own views in its own manager, so that closing
     *     it releases them
     * @param sharedFrom the weights a model view takes arrays from, whose file-mapped arrays stay so in the view
     */
    TransformerWeights(ModelConfig config, Map<String, NDArray> byName, ai.djl.ndarray.NDManager derivedArrays,
            TransformerWeights sharedFrom) {
        this(config, byName, derivedArrays, sharedFrom.fileMapped);
    }

    private TransformerWeights(ModelConfig config, Map<String, NDArray> byName,
            ai.djl.ndarray.NDManager derivedArrays, Set<NDArray> fileMapped) {
        this.byName = Collections.unmodifiableMap(byName);
        Set<NDArray> mapped = Collections.newSetFromMap(new IdentityHashMap<>());
        byName.values().stream().filter(fileMapped::contains).forEach(mapped::add);
        this.fileMapped = Collections.unmodifiableSet(mapped);
        List<Block> built = new ArrayList<>();
        for (int l = 0; l < config.layers(); l++) {
            String b = "blocks." + l + ".";
            NDArray outputWeight = get(b + "attn.W_O");
            NDArray outputByHead = outputWeight.reshape(config.heads(), config.dHead(), config.dModel());
            if (derivedArrays != null) {
                outputByHead.attach(derivedArrays);
            }
            built.add(new Block(
                    get(b + "ln1.w"),
                    find(b + "ln1.b"),
                    find(b + "ln1_post.w"),
                    get(b + "attn.W_Q"),
                    get(b + "attn.b_Q"),
                    get(b + "attn.W_K"),
                    get(b + "attn.b_K"),
                    get(b + "attn.W_V"),
                    get(b + "attn.b_V"),
                    outputWeight,
                    get(b + "attn.b_O"),
                    outputByHead,
                    get(b + "ln2.w"),
                    find(b + "ln2.b"),
                    find(b + "mlp.W_gate"),
                    find(b + "mlp.b_gate"),
                    get(b + "mlp.W_in"),
                    get(b + "mlp.b_in"),
                    get(b + "mlp.W_out"),
                    get(b + "mlp.b_out"),
                    find(b + "ln2_post.w")));
        }
        blocks = Collections.unmodifiableList(built);
    }

    /** A canonical weight by name, e.g. {@code blocks.0.attn.W_Q}. */
    public NDArray get(String name) {
        NDArray weight = byName.get(name);
        if (weight == null) {
            throw new ModelLoadException("no weight '" + name + "'"
                    + DidYouMean.hint(name, byName.keySet()));
        }
        return weight;
    }

    /** A canonical weight the family may lack (a norm bias under RMSNorm, a gate without a gated MLP), or null. */
    public NDArray find(String name) {
        return byName.get(name);
    }

    public Map<String, NDArray> all() {
        return byName;
    }

    /**
     * Whether the weight is a view of the checkpoint file, mapped read-only rather than copied (see {@code
     * WeightLoader}). Such an array must never be changed in place: libtorch would write to a read-only page and the
     * JVM would die of SIGSEGV, with no exception to catch. Training and other in-place edits need a model whose
     * weights are its own, e.g. one created from weights in memory.
     */
    public boolean isFileMapped(String name) {
        return fileMapped.contains(get(name));
    }

    public NDArray embedding() {
        return get("embed.W_E");
    }

    /** The learned position embedding, or null when positions are rotary. */
    public NDArray positionEmbedding() {
        return find("pos_embed.W_pos");
    }

    public Block block(int layer) {
        return blocks.get(layer);
    }

    public NDArray lnFinalWeight() {
        return get("ln_final.w");
    }

    /** Null under RMSNorm. */
    public NDArray lnFinalBias() {
        return find("ln_final.b");
    }

    public NDArray unembedding() {
        return get("unembed.W_U");
    }

    /** Null unless weight processing folded the final LayerNorm's bias into the logits. */
    public NDArray unembeddingBias() {
        return find("unembed.b_U");
    }
}
