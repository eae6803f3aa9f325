package dev.arrakis.model;

import java.util.Arrays;

/**
 * How one canonical weight of the forward pass is obtained from a checkpoint. Families are described by lists of
 * these rules, so supporting a new family means writing its table, not a new forward pass.
 */
public sealed interface WeightRule {

    /** The canonical name, TransformerLens style, e.g. {@code blocks.0.attn.W_Q}. */
    String target();

    /** The canonical shape the forward pass expects. */
    long[] shape();

    /**
     * A tensor read from the checkpoint. Linear layers stored {@code [out, in]} are transposed to {@code [in, out]};
     * a fused tensor is split into {@code parts} equal slices of its last axis and slice {@code part} is taken.
     */
    record FromCheckpoint(String target, String source, boolean transposed, int part, int parts, long[] shape)
            implements WeightRule {

        /** The shape the checkpoint tensor must have for this rule to apply. */
        public long[] sourceShape() {
            long[] source = shape.clone();
            source[source.length - 1] *= parts;
            if (transposed) {
                if (source.length != 2) {
                    throw new IllegalStateException("only matrices can be transposed: " + target);
                }
                if (parts != 1) {
                    throw new IllegalStateException("a transposed weight cannot also be split: " + target);
                }
                return new long[] {source[1], source[0]};
            }
            return source;
        }

        @Override
        public String toString() {
            return target + " <- " + source + (transposed ? "ᵀ" : "")
                    + (parts > 1 ? " part " + part + "/" + parts : "") + " " + Arrays.toString(shape);
        }
    }

    /** The transpose of another canonical weight, shared rather than copied (a tied unembedding). */
    record TiedTranspose(String target, String tiedTo, long[] shape) implements WeightRule {}

    static FromCheckpoint copy(String target, String source, long... shape) {
        return new FromCheckpoint(target, source, false, 0, 1, shape);
    }

    static FromCheckpoint transposed(String target, String source, long... shape) {
        return new FromCheckpoint(target, source, true, 0, 1, shape);
    }

    static FromCheckpoint slice(String target, String source, int part, int parts, long... shape) {
        return new FromCheckpoint(target, source, false, part, parts, shape);
    }
}
