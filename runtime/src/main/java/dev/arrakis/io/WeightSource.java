package dev.arrakis.io;

import java.nio.ByteBuffer;
import java.util.Set;

/** The tensors of one checkpoint, whether stored in a single file or spread over shards. */
public interface WeightSource extends AutoCloseable {

    Set<String> names();

    boolean contains(String name);

    /** @throws UnknownTensorException if the checkpoint holds no tensor of that name */
    TensorInfo info(String name);

    /**
     * A little-endian view of exactly the tensor's bytes. A direct buffer (a file mapping) may become a model's weight
     * without a copy, so its bytes must stay as they are for as long as that model lives; a heap buffer is always
     * copied.
     *
     * @throws UnknownTensorException if the checkpoint holds no tensor of that name
     */
    ByteBuffer bytes(String name);

    /** @throws UnknownTensorException if the checkpoint holds no tensor of that name */
    float[] readFloats(String name);

    /**
     * The same tensors, each read into a heap copy: a model created from it decodes and owns every weight instead of
     * viewing the mapped file, as training (which changes weights in place) needs. Closing it closes {@code source}.
     */
    static WeightSource copied(WeightSource source) {
        return new HeapCopiedWeights(source);
    }

    /** Releases the underlying files; narrowed to throw nothing checked. */
    @Override
    void close();
}
