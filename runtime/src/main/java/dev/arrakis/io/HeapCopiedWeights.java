package dev.arrakis.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/** {@link WeightSource#copied}: the source's tensors, each handed out as a fresh heap copy of its bytes. */
record HeapCopiedWeights(WeightSource source) implements WeightSource {

    @Override
    public Set<String> names() {
        return source.names();
    }

    @Override
    public boolean contains(String name) {
        return source.contains(name);
    }

    @Override
    public TensorInfo info(String name) {
        return source.info(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        ByteBuffer stored = source.bytes(name);
        ByteBuffer copy = ByteBuffer.allocate(stored.remaining());
        copy.put(stored).flip();
        return copy.order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public float[] readFloats(String name) {
        return source.readFloats(name);
    }

    @Override
    public void close() {
        source.close();
    }
}
