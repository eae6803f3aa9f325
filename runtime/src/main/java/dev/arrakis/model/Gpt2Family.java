package dev.arrakis.model;

import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GPT-2 as HF transformers stores it: Conv1D weights already {@code [in, out]}, a fused {@code c_attn} holding Q, K
 * and V side by side, learned positions, LayerNorm, and an unembedding tied to the embedding unless the checkpoint
 * stores {@code lm_head.weight}.
 */
public final class Gpt2Family implements ModelFamily {

    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt2");
    }

    @Override
    public List<String> checkpointPrefixes() {
        return List.of("transformer.");
    }

    @Override
    public List<WeightRule> weightRules(ModelConfig c, Set<String> checkpointNames) {
        long d = c.dModel();
        long attn = (long) c.heads() * c.dHead();
        List<WeightRule> rules = new ArrayList<>();
        rules.add(WeightRule.copy("embed.W_E", "wte.weight", c.vocabSize(), d));
        rules.add(WeightRule.copy("pos_embed.W_pos", "wpe.weight", c.contextLength(), d));
        for (int l = 0; l < c.layers(); l++) {
            String h = "h." + l + ".";
            String b = "blocks." + l + ".";
            rules.add(WeightRule.copy(b + "ln1.w", h + "ln_1.weight", d));
            rules.add(WeightRule.copy(b + "ln1.b", h + "ln_1.bias", d));
            String[] qkv = {"Q", "K", "V"};
            for (int part = 0; part < 3; part++) {
                rules.add(WeightRule.slice(b + "attn.W_" + qkv[part], h + "attn.c_attn.weight", part, 3, d, attn));
                rules.add(WeightRule.slice(b + "attn.b_" + qkv[part], h + "attn.c_attn.bias", part, 3, attn));
            }
            rules.add(WeightRule.copy(b + "attn.W_O", h + "attn.c_proj.weight", attn, d));
            rules.add(WeightRule.copy(b + "attn.b_O", h + "attn.c_proj.bias", d));
            rules.add(WeightRule.copy(b + "ln2.w", h + "ln_2.weight", d));
            rules.add(WeightRule.copy(b + "ln2.b", h + "ln_2.bias", d));
            rules.add(WeightRule.copy(b + "mlp.W_in", h + "mlp.c_fc.weight", d, c.dMlp()));
            rules.add(WeightRule.copy(b + "mlp.b_in", h + "mlp.c_fc.bias", c.dMlp()));
            rules.add(WeightRule.copy(b + "mlp.W_out", h + "mlp.c_proj.weight", c.dMlp(), d));
            rules.add(WeightRule.copy(b + "mlp.b_out", h + "mlp.c_proj.bias", d));
        }
        rules.add(WeightRule.copy("ln_final.w", "ln_f.weight", d));
        rules.add(WeightRule.copy("ln_final.b", "ln_f.bias", d));
        rules.add(FamilyRules.unembedding(checkpointNames, "lm_head.weight", c));
        return rules;
    }

    @Override
    public boolean isBuffer(String checkpointName) {
        return checkpointName.endsWith(".attn.bias") || checkpointName.endsWith(".attn.masked_bias");
    }
}
