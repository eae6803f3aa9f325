package dev.arrakis.model;

import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GPT-NeoX and Pythia as HF transformers stores them: one {@code query_key_value} projection whose output rows hold
 * each head's query, key and value blocks side by side ({@code [head, 3, d_head]}), LayerNorms with biases, and a
 * separate {@code embed_out} unembedding outside the {@code gpt_neox.} prefix.
 */
public final class GptNeoXFamily implements ModelFamily {

    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt_neox");
    }

    @Override
    public List<String> checkpointPrefixes() {
        return List.of("gpt_neox.");
    }

    @Override
    public List<WeightRule> weightRules(ModelConfig c, Set<String> checkpointNames) {
        long d = c.dModel();
        int heads = c.heads();
        long attn = (long) heads * c.dHead();
        List<WeightRule> rules = new ArrayList<>();
        rules.add(WeightRule.copy("embed.W_E", "embed_in.weight", c.vocabSize(), d));
        for (int l = 0; l < c.layers(); l++) {
            String h = "layers." + l + ".";
            String b = "blocks." + l + ".";
            rules.add(WeightRule.copy(b + "ln1.w", h + "input_layernorm.weight", d));
            rules.add(WeightRule.copy(b + "ln1.b", h + "input_layernorm.bias", d));
            String qkv = h + "attention.query_key_value.";
            List<String> parts = List.of("Q", "K", "V");
            for (int part = 0; part < 3; part++) {
                List<WeightRule.Span> rows = FamilyRules.headRows(part, heads, c.dHead(), 3);
                rules.add(WeightRule.rows(b + "attn.W_" + parts.get(part), qkv + "weight", 3 * attn, rows, d, attn));
                rules.add(checkpointNames.contains(qkv + "bias")
                        ? WeightRule.rows(b + "attn.b_" + parts.get(part), qkv + "bias", 3 * attn, rows, attn)
                        : new WeightRule.Zeros(b + "attn.b_" + parts.get(part), new long[] {attn}));
            }
            rules.add(WeightRule.transposed(b + "attn.W_O", h + "attention.dense.weight", attn, d));
            rules.add(FamilyRules.biasOrZeros(b + "attn.b_O", h + "attention.dense.bias", checkpointNames, d));
            rules.add(WeightRule.copy(b + "ln2.w", h + "post_attention_layernorm.weight", d));
            rules.add(WeightRule.copy(b + "ln2.b", h + "post_attention_layernorm.bias", d));
            rules.add(WeightRule.transposed(b + "mlp.W_in", h + "mlp.dense_h_to_4h.weight", d, c.dMlp()));
            rules.add(WeightRule.copy(b + "mlp.b_in", h + "mlp.dense_h_to_4h.bias", c.dMlp()));
            rules.add(WeightRule.transposed(b + "mlp.W_out", h + "mlp.dense_4h_to_h.weight", c.dMlp(), d));
            rules.add(WeightRule.copy(b + "mlp.b_out", h + "mlp.dense_4h_to_h.bias", d));
        }
        rules.add(WeightRule.copy("ln_final.w", "final_layer_norm.weight", d));
        rules.add(WeightRule.copy("ln_final.b", "final_layer_norm.bias", d));
        rules.add(FamilyRules.unembedding(checkpointNames, "embed_out.weight", c));
        return rules;
    }

    @Override
    public boolean isBuffer(String checkpointName) {
        return checkpointName.endsWith(".attention.bias") || checkpointName.endsWith(".attention.masked_bias")
                || checkpointName.endsWith(".rotary_emb.inv_freq");
    }
}
