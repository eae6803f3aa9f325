package dev.arrakis.model;

import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * GPT-Neo as HF transformers stores it: GPT-2's layout with {@code torch.nn.Linear} layers ({@code [out, in]}),
 * separate unbiased Q, K and V projections under {@code attn.attention}, and an unembedding tied to the embedding.
 */
public final class GptNeoFamily implements ModelFamily {

    @Override
    public Set<String> modelTypes() {
        return Set.of("gpt_neo");
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
            for (String part : List.of("Q", "K", "V")) {
                String source = h + "attn.attention." + part.toLowerCase() + "_proj";
                rules.add(WeightRule.transposed(b + "attn.W_" + part, source + ".weight", d, attn));
                rules.add(FamilyRules.biasOrZeros(b + "attn.b_" + part, source + ".bias", checkpointNames, attn));
            }
            rules.add(WeightRule.transposed(b + "attn.W_O", h + "attn.attention.out_proj.weight", attn, d));
            rules.add(WeightRule.copy(b + "attn.b_O", h + "attn.attention.out_proj.bias", d));
            rules.add(WeightRule.copy(b + "ln2.w", h + "ln_2.weight", d));
            rules.add(WeightRule.copy(b + "ln2.b", h + "ln_2.bias", d));
            rules.add(WeightRule.transposed(b + "mlp.W_in", h + "mlp.c_fc.weight", d, c.dMlp()));
            rules.add(WeightRule.copy(b + "mlp.b_in", h + "mlp.c_fc.bias", c.dMlp()));
            rules.add(WeightRule.transposed(b + "mlp.W_out", h + "mlp.c_proj.weight", c.dMlp(), d));
            rules.add(WeightRule.copy(b + "mlp.b_out", h + "mlp.c_proj.bias", d));
        }
        rules.add(WeightRule.copy("ln_final.w", "ln_f.weight", d));
        rules.add(WeightRule.copy("ln_final.b", "ln_f.bias", d));
        rules.add(FamilyRules.unembedding(checkpointNames, "lm_head.weight", c));
        return rules;
    }

    @Override
    public boolean isBuffer(String checkpointName) {
        return checkpointName.endsWith(".attn.attention.bias") || checkpointName.endsWith(".attn.attention.masked_bias");
    }
}
