package dev.arrakis.model;

import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * LLaMA and the families that kept its checkpoint layout ({@code model.layers.L.self_attn.q_proj}, ...): Mistral,
 * Qwen2, Gemma, Gemma 2, Phi-3 and StableLM. What differs is data read from the config's {@link Architecture} and
 * model type: Phi-3 fuses {@code qkv_proj} and {@code gate_up_proj}; Gemma stores norm scales as {@code w} for
 * {@code 1 + w}; Gemma 2 adds post-norms; StableLM uses LayerNorm with biases and, in a parallel block, one norm for
 * attention and MLP. Biases are read where the checkpoint stores them (Qwen2's, or any {@code attention_bias} /
 * {@code mlp_bias} / {@code use_qkv_bias} model) and are zeros otherwise.
 */
public final class LlamaStyleFamily implements ModelFamily {
    private static final Set<String> NORM_PLUS_ONE = Set.of("gemma", "gemma2");
    private static final Set<String> FUSED_PROJECTIONS = Set.of("phi3");

    @Override
    public Set<String> modelTypes() {
        return Set.of("llama", "mistral", "qwen2", "gemma", "gemma2", "phi3", "stablelm");
    }

    @Override
    public List<String> checkpointPrefixes() {
        return List.of("model.");
    }

    @Override
    public List<WeightRule> weightRules(ModelConfig c, Set<String> names) {
        long d = c.dModel();
        long q = (long) c.heads() * c.dHead();
        long kv = (long) c.kvHeads() * c.dHead();
        Architecture architecture = c.architecture();
        float normOffset = NORM_PLUS_ONE.contains(c.modelType()) ? 1f : 0f;
        boolean fused = FUSED_PROJECTIONS.contains(c.modelType());
        List<WeightRule> rules = new ArrayList<>();
        rules.add(WeightRule.copy("embed.W_E", "embed_tokens.weight", c.vocabSize(), d));
        for (int l = 0; l < c.layers(); l++) {
            String h = "layers." + l + ".";
            String b = "blocks." + l + ".";
            norm(rules, b + "ln1", h + "input_layernorm", architecture, normOffset, d);
            String attn = h + "self_attn.";
            if (fused) {
                long width = q + 2 * kv;
                rules.add(WeightRule.rows(b + "attn.W_Q", attn + "qkv_proj.weight", width, spans(0, q), d, q));
                rules.add(WeightRule.rows(b + "attn.W_K", attn + "qkv_proj.weight", width, spans(q, kv), d, kv));
                rules.add(WeightRule.rows(b + "attn.W_V", attn + "qkv_proj.weight", width, spans(q + kv, kv), d, kv));
                for (String part : List.of("Q", "K", "V")) {
                    rules.add(new WeightRule.Zeros(b + "attn.b_" + part, new long[] {part.equals("Q") ? q : kv}));
                }
            } else {
                for (String part : List.of("Q", "K", "V")) {
                    long width = part.equals("Q") ? q : kv;
                    String source = attn + part.toLowerCase() + "_proj.";
                    rules.add(WeightRule.transposed(b + "attn.W_" + part, source + "weight", d, width));
                    rules.add(FamilyRules.biasOrZeros(b + "attn.b_" + part, source + "bias", names, width));
                }
            }
            rules.add(WeightRule.transposed(b + "attn.W_O", attn + "o_proj.weight", q, d));
            rules.add(FamilyRules.biasOrZeros(b + "attn.b_O", attn + "o_proj.bias", names, d));
            if (architecture.postNorms()) {
                norm(rules, b + "ln1_post", h + "post_attention_layernorm", architecture, normOffset, d);
                norm(rules, b + "ln2", h + "pre_feedforward_layernorm", architecture, normOffset, d);
                norm(rules, b + "ln2_post", h + "post_feedforward_layernorm", architecture, normOffset, d);
            } else if (architecture.parallelAttentionMlp() && !names.contains(h + "post_attention_layernorm.weight")) {
                rules.add(new WeightRule.SameAs(b + "ln2.w", b + "ln1.w", new long[] {d}));
                if (architecture.normalization() == Architecture.Normalization.LAYER_NORM) {
                    rules.add(new WeightRule.SameAs(b + "ln2.b", b + "ln1.b", new long[] {d}));
                }
            } else {
                norm(rules, b + "ln2", h + "post_attention_layernorm", architecture, normOffset, d);
            }
            String mlp = h + "mlp.";
            long dMlp = c.dMlp();
            if (fused) {
                String gateUp = mlp + "gate_up_proj.weight";
                rules.add(WeightRule.rows(b + "mlp.W_gate", gateUp, 2 * dMlp, spans(0, dMlp), d, dMlp));
                rules.add(WeightRule.rows(b + "mlp.W_in", gateUp, 2 * dMlp, spans(dMlp, dMlp), d, dMlp));
                rules.add(new WeightRule.Zeros(b + "mlp.b_in", new long[] {dMlp}));
            } else {
                rules.add(WeightRule.transposed(b + "mlp.W_gate", mlp + "gate_proj.weight", d, dMlp));
                rules.add(WeightRule.transposed(b + "mlp.W_in", mlp + "up_proj.weight", d, dMlp));
                rules.add(FamilyRules.biasOrZeros(b + "mlp.b_in", mlp + "up_proj.bias", names, dMlp));
                if (names.contains(mlp + "gate_proj.bias")) {
                    throw new ModelLoadException("checkpoint stores " + mlp + "gate_proj.bias: a gate bias ("
                            + "mlp_bias) is not supported yet");
                }
            }
            rules.add(WeightRule.transposed(b + "mlp.W_out", mlp + "down_proj.weight", dMlp, d));
            rules.add(FamilyRules.biasOrZeros(b + "mlp.b_out", mlp + "down_proj.bias", names, d));
        }
        norm(rules, "ln_final", "norm", architecture, normOffset, d);
        rules.add(FamilyRules.unembedding(names, "lm_head.weight", c));
        return rules;
    }

    private static void norm(List<WeightRule> rules, String target, String source, Architecture architecture,
            float offset, long d) {
        rules.add(WeightRule.copy(target + ".w", source + ".weight", d).plus(offset));
        if (architecture.normalization() == Architecture.Normalization.LAYER_NORM) {
            rules.add(WeightRule.copy(target + ".b", source + ".bias", d));
        }
    }

    private static List<WeightRule.Span> spans(long start, long length) {
        return List.of(new WeightRule.Span(start, length));
    }

    @Override
    public boolean isBuffer(String checkpointName) {
        return checkpointName.endsWith(".rotary_emb.inv_freq");
    }
}
