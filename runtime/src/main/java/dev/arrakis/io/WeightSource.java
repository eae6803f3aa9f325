package dev.arrakis.io;

import java.nio.ByteBuffer;
import java.util.Set;

/** The tensors of one checkpoint, whether stored in a single file or spread over shards. */
public interface WeightSource extends AutoCloseable {

    Set<String> names();

    boolean contains(String name);

    /** @throws UnknownTensorException if the checkpoint holds no tensor of that name */
    TensorInfo info(String name);

    /** @throws UnknownTensorException if the checkpoint holds no tensor of that name */
    ByteBuffer bytes(String name);

    /** @throws UnknownTensorException if the checkpoint holds no tensor of that name */
    float[] readFloats(String name);

    /** Releases the underlying files; narrowed to throw nothing checked. */
    @Override
    void close();
}
