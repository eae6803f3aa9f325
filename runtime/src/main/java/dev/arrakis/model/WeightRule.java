package dev.arrakis.model;

import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * How one canonical weight of the forward pass is obtained from a checkpoint. Families are described by lists of
 * these rules, so supporting a new family means writing its table, not a new forward pass.
 */
public sealed interface WeightRule {

    /** The canonical name, TransformerLens style, e.g. {@code blocks.0.attn.W_Q}. */
    String target();

    /** The canonical shape the forward pass expects. */
    long[] shape();

    /** A run of {@code length} consecutive indices from {@code start} along a fused tensor's output axis. */
    record Span(long start, long length) {
        @Override
        public String toString() {
            return start + ".." + (start + length);
        }
    }

    /**
     * A tensor read from the checkpoint. The output axis is the canonical weight's last axis: a linear layer stored
     * {@code [out, in]} is {@code transposed} to {@code [in, out]}, so its output axis is the checkpoint's first.
     * A fused tensor ({@code sourceWidth} wider than the target along that axis) contributes the indices in
     * {@code spans}, in order. {@code added} is added to every value (Gemma stores its norm scales as {@code w} for
     * {@code 1 + w}).
     */
    record FromCheckpoint(String target, String source, boolean transposed, long sourceWidth, List<Span> spans,
            float added, long[] shape) implements WeightRule {

        public FromCheckpoint {
            spans = List.copyOf(spans);
            long selected = spans.stream().mapToLong(Span::length).sum();
            if (selected != shape[shape.length - 1]) {
                throw new IllegalStateException(target + ": spans select " + selected + " of "
                        + shape[shape.length - 1]);
            }
            if (transposed && shape.length != 2) {
                throw new IllegalStateException("only matrices can be transposed: " + target);
            }
        }

        /** The shape the checkpoint tensor must have for this rule to apply. */
        public long[] sourceShape() {
            long[] source = shape.clone();
            source[source.length - 1] = sourceWidth;
            return transposed ? new long[] {source[1], source[0]} : source;
        }

        /** Whether the whole checkpoint tensor is used as it is laid out. */
        boolean selectsAll() {
            return sourceWidth == shape[shape.length - 1];
        }

        public FromCheckpoint plus(float value) {
            return new FromCheckpoint(target, source, transposed, sourceWidth, spans, added + value, shape);
        }

        @Override
        public String toString() {
            return target + " <- " + source + (transposed ? "ᵀ" : "")
                    + (selectsAll() ? "" : spans.stream().map(Span::toString).collect(Collectors.joining(",", "[", "]")))
                    + (added != 0 ? " + " + added : "") + " " + Arrays.toString(shape);
        }
    }

    /** The transpose of another canonical weight, shared rather than copied (a tied unembedding). */
    record TiedTranspose(String target, String tiedTo, long[] shape) implements WeightRule {}

    /** Another canonical weight, shared (a parallel block whose attention and MLP read one norm). */
    record SameAs(String target, String sameAs, long[] shape) implements WeightRule {}

    /** Zeros, for a bias the family does not have, so that every family has TransformerLens's full weight set. */
    record Zeros(String target, long[] shape) implements WeightRule {}

    static FromCheckpoint copy(String target, String source, long... shape) {
        return new FromCheckpoint(target, source, false, shape[shape.length - 1],
                List.of(new Span(0, shape[shape.length - 1])), 0, shape);
    }

    /** A linear layer stored {@code [out, in]}, as {@code torch.nn.Linear} does. */
    static FromCheckpoint transposed(String target, String source, long... shape) {
        return new FromCheckpoint(target, source, true, shape[1], List.of(new Span(0, shape[1])), 0, shape);
    }

    /** Part {@code part} of {@code parts} equal slices of the last axis (GPT-2's fused {@code c_attn}). */
    static FromCheckpoint slice(String target, String source, int part, int parts, long... shape) {
        long width = shape[shape.length - 1];
        return new FromCheckpoint(target, source, false, width * parts, List.of(new Span(part * width, width)), 0,
                shape);
    }

    /**
     * The given output rows of a fused linear layer stored {@code [sourceWidth, in]} (Phi-3's {@code qkv_proj}, or
     * a fused bias when {@code shape} has one axis).
     */
    static FromCheckpoint rows(String target, String source, long sourceWidth, List<Span> spans, long... shape) {
        return new FromCheckpoint(target, source, shape.length == 2, sourceWidth, spans, 0, shape);
    }
}
