package dev.arrakis.spec;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A named place in the forward pass where an activation can be read (cached) or replaced (hooked).
 *
 * @param name the TransformerLens name, e.g. {@code blocks.3.attn.hook_pattern}
 * @param layer the block it belongs to, or -1 for points outside the blocks
 * @param dims the activation's axes
 * @param optIn true when the activation is computed only if a cache or hook asks for it (it costs extra work)
 */
public record HookPoint(String name, int layer, List<Dim> dims, boolean optIn) {

    public HookPoint {
        dims = List.copyOf(dims);
    }

    /** What the activation is, e.g. {@link ActivationKind#ATTENTION} for {@code hook_pattern}. */
    public ActivationKind kind() {
        return ActivationKind.of(dims);
    }

    /** The name inside its block, e.g. {@code attn.hook_pattern}; the full name for points outside the blocks. */
    public String blockRelativeName() {
        return layer < 0 ? name : name.substring(("blocks." + layer + ".").length());
    }

    public long[] shape(ModelConfig config, long batch, long seq) {
        return dims.stream().mapToLong(dim -> dim.size(config, batch, seq)).toArray();
    }

    /** The axes as text, e.g. {@code [batch, head, query_pos, key_pos]}. */
    public String dimsLabel() {
        return dims.stream().map(Dim::label).collect(Collectors.joining(", ", "[", "]"));
    }
}
