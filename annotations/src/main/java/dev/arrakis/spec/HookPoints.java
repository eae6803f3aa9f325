package dev.arrakis.spec;

import static dev.arrakis.spec.Dim.BATCH;
import static dev.arrakis.spec.Dim.D_HEAD;
import static dev.arrakis.spec.Dim.D_MLP;
import static dev.arrakis.spec.Dim.D_MODEL;
import static dev.arrakis.spec.Dim.HEAD;
import static dev.arrakis.spec.Dim.KEY_POS;
import static dev.arrakis.spec.Dim.KV_HEAD;
import static dev.arrakis.spec.Dim.ONE;
import static dev.arrakis.spec.Dim.POS;
import static dev.arrakis.spec.Dim.QUERY_POS;

import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every hook point of one model, in the order the forward pass reaches them. This catalogue is the single place
 * where hook names and shapes are defined: the forward pass, the CLI listing and name validation all read it. It
 * does not touch DJL, so build-time tooling can use it too.
 */
public final class HookPoints {
    private final ModelConfig config;
    private final HookPoint embed;
    private final HookPoint posEmbed;
    private final List<Block> blocks;
    private final Norm lnFinal;
    private final Map<String, HookPoint> byName = new LinkedHashMap<>();

    /**
     * The hook points of one normalisation, as TransformerLens defines them: {@code scale} is the divisor
     * (LayerNorm: √(var + eps); RMSNorm: √(mean(x²) + eps)) and {@code normalized} the input centred (LayerNorm) and
     * divided by it, before the gain and the bias, which apply to the value this point hands on.
     */
    public record Norm(HookPoint scale, HookPoint normalized) {}

    /**
     * The hook points of one transformer block, named as in TransformerLens. Points the architecture does not have
     * are null: {@code residMid} in a parallel block, {@code rotQ}/{@code rotK} without rotary positions,
     * {@code mlpPreLinear} without a gated MLP, {@code ln1Post}/{@code ln2Post} without post-norms.
     */
    public record Block(
            int layer,
            HookPoint residPre,
            Norm ln1,
            HookPoint q,
            HookPoint k,
            HookPoint v,
            HookPoint rotQ,
            HookPoint rotK,
            HookPoint attnScores,
            HookPoint pattern,
            HookPoint z,
            HookPoint result,
            Norm ln1Post,
            HookPoint attnOut,
            HookPoint residMid,
            Norm ln2,
            HookPoint mlpPre,
            HookPoint mlpPreLinear,
            HookPoint mlpPost,
            Norm ln2Post,
            HookPoint mlpOut,
            HookPoint residPost) {}

    public HookPoints(ModelConfig config) {
        this.config = config;
        embed = add("hook_embed", -1, List.of(BATCH, POS, D_MODEL), false);
        posEmbed = config.architecture().positional() == Architecture.Positional.LEARNED
                ? add("hook_pos_embed", -1, List.of(BATCH, POS, D_MODEL), false)
                : null;
        List<Block> built = new ArrayList<>();
        for (int layer = 0; layer < config.layers(); layer++) {
            built.add(buildBlock(layer));
        }
        blocks = Collections.unmodifiableList(built);
        lnFinal = norm("ln_final", -1);
    }

    private Block buildBlock(int l) {
        Architecture architecture = config.architecture();
        String p = "blocks." + l + ".";
        HookPoint residPre = add(p + "hook_resid_pre", l, List.of(BATCH, POS, D_MODEL), false);
        Norm ln1 = norm(p + "ln1", l);
        HookPoint q = add(p + "attn.hook_q", l, List.of(BATCH, POS, HEAD, D_HEAD), false);
        HookPoint k = add(p + "attn.hook_k", l, List.of(BATCH, POS, KV_HEAD, D_HEAD), false);
        HookPoint v = add(p + "attn.hook_v", l, List.of(BATCH, POS, KV_HEAD, D_HEAD), false);
        boolean rotary = architecture.positional() == Architecture.Positional.ROTARY;
        HookPoint rotQ = rotary ? add(p + "attn.hook_rot_q", l, List.of(BATCH, POS, HEAD, D_HEAD), false) : null;
        HookPoint rotK = rotary ? add(p + "attn.hook_rot_k", l, List.of(BATCH, POS, KV_HEAD, D_HEAD), false) : null;
        HookPoint scores = add(p + "attn.hook_attn_scores", l, List.of(BATCH, HEAD, QUERY_POS, KEY_POS), false);
        HookPoint pattern = add(p + "attn.hook_pattern", l, List.of(BATCH, HEAD, QUERY_POS, KEY_POS), false);
        HookPoint z = add(p + "attn.hook_z", l, List.of(BATCH, POS, HEAD, D_HEAD), false);
        HookPoint result = add(p + "attn.hook_result", l, List.of(BATCH, POS, HEAD, D_MODEL), true);
        Norm ln1Post = architecture.postNorms() ? norm(p + "ln1_post", l) : null;
        HookPoint attnOut = add(p + "hook_attn_out", l, List.of(BATCH, POS, D_MODEL), false);
        HookPoint residMid = architecture.parallelAttentionMlp()
                ? null
                : add(p + "hook_resid_mid", l, List.of(BATCH, POS, D_MODEL), false);
        Norm ln2 = norm(p + "ln2", l);
        HookPoint mlpPre = add(p + "mlp.hook_pre", l, List.of(BATCH, POS, D_MLP), false);
        HookPoint mlpPreLinear = architecture.gatedMlp()
                ? add(p + "mlp.hook_pre_linear", l, List.of(BATCH, POS, D_MLP), false)
                : null;
        HookPoint mlpPost = add(p + "mlp.hook_post", l, List.of(BATCH, POS, D_MLP), false);
        Norm ln2Post = architecture.postNorms() ? norm(p + "ln2_post", l) : null;
        HookPoint mlpOut = add(p + "hook_mlp_out", l, List.of(BATCH, POS, D_MODEL), false);
        HookPoint residPost = add(p + "hook_resid_post", l, List.of(BATCH, POS, D_MODEL), false);
        return new Block(l, residPre, ln1, q, k, v, rotQ, rotK, scores, pattern, z, result, ln1Post, attnOut,
                residMid, ln2, mlpPre, mlpPreLinear, mlpPost, ln2Post, mlpOut, residPost);
    }

    private Norm norm(String prefix, int layer) {
        return new Norm(
                add(prefix + ".hook_scale", layer, List.of(BATCH, POS, ONE), false),
                add(prefix + ".hook_normalized", layer, List.of(BATCH, POS, D_MODEL), false));
    }

    private HookPoint add(String name, int layer, List<Dim> dims, boolean optIn) {
        HookPoint point = new HookPoint(name, layer, dims, optIn);
        byName.put(name, point);
        return point;
    }

    public ModelConfig config() {
        return config;
    }

    public HookPoint embed() {
        return embed;
    }

    /** The learned position embedding's hook point, or null when positions are rotary. */
    public HookPoint posEmbed() {
        return posEmbed;
    }

    public Block block(int layer) {
        return blocks.get(layer);
    }

    public Norm lnFinal() {
        return lnFinal;
    }

    /** Every hook point in forward order. */
    public List<HookPoint> all() {
        return List.copyOf(byName.values());
    }

    /** The point a block-relative name ({@code attn.hook_z}) names in each block, by layer. */
    public List<HookPoint> inEachBlock(String blockRelativeName) {
        return byName.values().stream()
                .filter(point -> point.layer() >= 0 && point.blockRelativeName().equals(blockRelativeName))
                .toList();
    }

    public boolean contains(String name) {
        return byName.containsKey(name);
    }

    /** The hook point of that name, or an {@link UnknownHookPointException} that suggests the nearest names. */
    public HookPoint get(String name) {
        HookPoint point = byName.get(name);
        if (point == null) {
            throw new UnknownHookPointException(name, config.modelType(), DidYouMean.hint(name, byName.keySet()));
        }
        return point;
    }

    /**
     * TransformerLens's shorthand: {@code actName("pattern", 3)} is {@code blocks.3.attn.hook_pattern},
     * {@code actName("resid_pre", 0)} is {@code blocks.0.hook_resid_pre}; the result is checked against this model.
     */
    public String actName(String shortName, int layer) {
        String name = "blocks." + layer + "." + switch (shortName) {
            case "q", "k", "v", "rot_q", "rot_k", "z", "pattern", "attn_scores", "result" -> "attn.hook_" + shortName;
            case "pre", "pre_linear", "post" -> "mlp.hook_" + shortName;
            case "scale", "normalized" -> "ln1.hook_" + shortName;
            default -> "hook_" + shortName;
        };
        return get(name).name();
    }
}
