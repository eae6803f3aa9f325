package dev.arrakis.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.spec.Rotary;

/**
 * One pass's rotary cos and sin tables, {@code [batch, pos, 1, rotary_dims]}, built from the batch's position ids
 * (so a left-padded row is rotated exactly like the same tokens unpadded), and the rotation HF's
 * {@code apply_rotary_pos_emb} applies: {@code x * cos + rotate_half(x) * sin} on the first {@code rotary_dims}
 * features of each head, the rest passed through.
 */
final class RotaryAngles {
    private final NDArray cos;
    private final NDArray sin;
    private final int dimensions;

    private RotaryAngles(NDArray cos, NDArray sin, int dimensions) {
        this.cos = cos;
        this.sin = sin;
        this.dimensions = dimensions;
    }

    /** The angles of {@code table}'s tokens as {@code [batchSize, tokens / batchSize, 1, rotary_dims]}. */
    static RotaryAngles of(NDManager scope, Table table, int batchSize, Precision precision) {
        int dims = table.dimensions();
        Shape shape = new Shape(batchSize, table.cos().length / dims / batchSize, 1, dims);
        return new RotaryAngles(TransformerForward.libtorchOwned(precision.narrow(scope.create(table.cos(), shape))),
                TransformerForward.libtorchOwned(precision.narrow(scope.create(table.sin(), shape))), dims);
    }

    /**
     * The cos and sin of tokens, {@code [tokens, rotary_dims]} row-major in f32, kept in Java memory so that a
     * key/value cache can remember the angles each key was first rotated with without holding native arrays.
     */
    record Table(float[] cos, float[] sin, int dimensions) {

        /** @param positions the position id of each token, row-major */
        static Table of(long[] positions, Rotary rotary) {
            long longest = 0;
            for (long position : positions) {
                longest = Math.max(longest, position + 1);
            }
            Rotary.Frequencies frequencies = rotary.frequencies((int) longest);
            int dims = rotary.dimensions();
            int half = dims / 2;
            float factor = (float) frequencies.attentionFactor();
            float[] cos = new float[positions.length * dims];
            float[] sin = new float[positions.length * dims];
            for (int at = 0; at < positions.length; at++) {
                for (int i = 0; i < half; i++) {
                    // HF multiplies the f32 frequency by the f32 position, then takes cos and sin in f32
                    float angle = (float) frequencies.inverseFrequencies()[i] * (float) positions[at];
                    float c = (float) Math.cos(angle) * factor;
                    float s = (float) Math.sin(angle) * factor;
                    cos[at * dims + i] = c;
                    cos[at * dims + i + half] = c;
                    sin[at * dims + i] = s;
                    sin[at * dims + i + half] = s;
                }
            }
            return new Table(cos, sin, dims);
        }

        /**
         * This table's {@code batchSize} rows of {@code pastLength} tokens followed, row by row, by {@code added}'s
         * tokens: the layout of a cache's keys once a pass has appended its own.
         */
        Table followedBy(Table added, int batchSize, int pastLength) {
            int addedLength = added.cos.length / dimensions / batchSize;
            int rowOfPast = pastLength * dimensions;
            int rowOfAdded = addedLength * dimensions;
            int row = rowOfPast + rowOfAdded;
            float[] allCos = new float[batchSize * row];
            float[] allSin = new float[batchSize * row];
            for (int r = 0; r < batchSize; r++) {
                System.arraycopy(cos, r * rowOfPast, allCos, r * row, rowOfPast);
                System.arraycopy(sin, r * rowOfPast, allSin, r * row, rowOfPast);
                System.arraycopy(added.cos, r * rowOfAdded, allCos, r * row + rowOfPast, rowOfAdded);
                System.arraycopy(added.sin, r * rowOfAdded, allSin, r * row + rowOfPast, rowOfAdded);
            }
            return new Table(allCos, allSin, dimensions);
        }
    }

    /** Rotates queries or keys {@code [batch, pos, head, d_head]}. */
    NDArray rotate(NDArray x) {
        long dHead = x.getShape().get(3);
        NDArray rotated = dimensions == dHead ? x : x.get(new NDIndex(":, :, :, :{}", dimensions));
        int half = dimensions / 2;
        NDArray first = rotated.get(new NDIndex(":, :, :, :{}", half));
        NDArray second = rotated.get(new NDIndex(":, :, :, {}:", half));
        NDArray rotatedHalf = second.neg().concat(first, -1);
        NDArray result = rotated.mul(cos).add(rotatedHalf.mul(sin));
        return dimensions == dHead ? result : result.concat(x.get(new NDIndex(":, :, :, {}:", dimensions)), -1);
    }
}
