package dev.arrakis.model;

import dev.arrakis.spec.ModelConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Weight rules several families share. */
final class FamilyRules {
    private FamilyRules() {}

    /** The checkpoint's bias when it stores one (an optional {@code bias=True} layer), zeros otherwise. */
    static WeightRule biasOrZeros(String target, String source, Set<String> checkpointNames, long width) {
        return checkpointNames.contains(source)
                ? WeightRule.copy(target, source, width)
                : new WeightRule.Zeros(target, new long[] {width});
    }

    /** A stored {@code [vocab, d_model]} output layer, or the embedding's transpose when the checkpoint ties them. */
    static WeightRule unembedding(Set<String> checkpointNames, String source, ModelConfig c) {
        return checkpointNames.contains(source)
                ? WeightRule.transposed("unembed.W_U", source, c.dModel(), c.vocabSize())
                : new WeightRule.TiedTranspose("unembed.W_U", "embed.W_E", new long[] {c.dModel(), c.vocabSize()});
    }

    /**
     * Block {@code part} of every head in a fused projection that holds each head's {@code parts} blocks together
     * (GPT-NeoX's {@code query_key_value}: q0 k0 v0 q1 k1 v1 ...).
     */
    static List<WeightRule.Span> headRows(int part, int heads, int dHead, int parts) {
        List<WeightRule.Span> spans = new ArrayList<>();
        for (int head = 0; head < heads; head++) {
            spans.add(new WeightRule.Span(((long) head * parts + part) * dHead, dHead));
        }
        return spans;
    }
}
