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

    /** @param positions the position id of each of the batch's tokens, row-major */
    static RotaryAngles of(NDManager scope, TokenBatch batch, long[] positions, Rotary rotary, Precision precision) {
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
        Shape shape = new Shape(batch.batchSize(), batch.sequenceLength(), 1, dims);
        return new RotaryAngles(TransformerForward.libtorchOwned(precision.narrow(scope.create(cos, shape))),
                TransformerForward.libtorchOwned(precision.narrow(scope.create(sin, shape))), dims);
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
