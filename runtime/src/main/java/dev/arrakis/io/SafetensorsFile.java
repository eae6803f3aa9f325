package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file opened for reading. Opening reads and validates only the header; each tensor is memory-mapped
 * on demand, one tensor at a time, so files larger than 2 GB work as long as every single tensor is below 2 GB.
 * Buffers already handed out stay readable after {@link #close()}. Reads may run concurrently.
 */
public final class SafetensorsFile implements AutoCloseable {
    private final Path path;
    private final FileChannel channel;
    private final SafetensorsHeader header;
    private final List<String> names;

    private SafetensorsFile(Path path, FileChannel channel, SafetensorsHeader header) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.names = List.copyOf(header.tensors().keySet());
    }

    /**
     * Opens and validates a safetensors file.
     *
     * @throws SafetensorsFormatException if the file breaks the format
     * @throws ArrakisException if the file cannot be read at all
     */
    public static SafetensorsFile open(Path path) {
        FileChannel channel;
        try {
            channel = FileChannel.open(path, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ArrakisException("Cannot open safetensors file " + path + ": " + e, e);
        }
        try {
            return new SafetensorsFile(path, channel, SafetensorsHeaderReader.read(path, channel));
        } catch (IOException e) {
            ArrakisException failure = new ArrakisException("Cannot read safetensors file " + path + ": " + e, e);
            closeAfterFailure(channel, failure);
            throw failure;
        } catch (RuntimeException e) {
            closeAfterFailure(channel, e);
            throw e;
        }
    }

    private static void closeAfterFailure(FileChannel channel, Exception failure) {
        try {
            channel.close();
        } catch (IOException closeFailure) {
            failure.addSuppressed(closeFailure);
        }
    }

    public Path path() {
        return path;
    }

    /** Tensor names in the order of their bytes in the file. */
    public List<String> names() {
        return names;
    }

    public boolean contains(String name) {
        return header.tensors().containsKey(name);
    }

    /** @throws UnknownTensorException if the file holds no tensor of that name */
    public TensorInfo info(String name) {
        return slice(name).info();
    }

    /** The free-form {@code __metadata__} pairs; empty when the header has none. */
    public Map<String, String> metadata() {
        return header.metadata();
    }

    /**
     * A read-only little-endian view of exactly one tensor's bytes, mapped from the file.
     *
     * @throws UnknownTensorException if the file holds no tensor of that name
     * @throws ArrakisException if the tensor is 2 GB or larger, beyond what one buffer can address
     */
    public ByteBuffer bytes(String name) {
        TensorSlice slice = slice(name);
        long length = slice.end() - slice.begin();
        if (length > Integer.MAX_VALUE) {
            throw new ArrakisException("Tensor '" + name + "' in " + path + " is " + length
                    + " bytes; Arrakis reads tensors of at most " + Integer.MAX_VALUE + " bytes");
        }
        try {
            return channel.map(FileChannel.MapMode.READ_ONLY, header.dataStart() + slice.begin(), length)
                    .order(ByteOrder.LITTLE_ENDIAN);
        } catch (ClosedChannelException e) {
            throw new IllegalStateException(path + " is closed", e);
        } catch (IOException e) {
            throw new ArrakisException("Cannot map tensor '" + name + "' of " + path + ": " + e, e);
        }
    }

    /** Any dtype widened to float: integers and booleans by value, BOOL as 0 or 1. */
    public float[] readFloats(String name) {
        return TensorDecoding.toFloats(info(name), bytes(name));
    }

    /** An F64 tensor exactly; any other dtype widened from {@link #readFloats}. */
    public double[] readDoubles(String name) {
        TensorInfo info = info(name);
        if (info.dtype() == SafetensorsDType.F64) {
            java.nio.DoubleBuffer buffer = bytes(name).order(java.nio.ByteOrder.LITTLE_ENDIAN).asDoubleBuffer();
            double[] values = new double[buffer.remaining()];
            buffer.get(values);
            return values;
        }
        float[] floats = readFloats(name);
        double[] values = new double[floats.length];
        for (int i = 0; i < floats.length; i++) {
            values[i] = floats[i];
        }
        return values;
    }

    /**
     * An integer or BOOL tensor as longs.
     *
     * @throws ArrakisException for a floating-point tensor, or a U64 value above {@link Long#MAX_VALUE}
     */
    public long[] readLongs(String name) {
        return TensorDecoding.toLongs(info(name), bytes(name));
    }

    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            throw new ArrakisException("Cannot close " + path + ": " + e, e);
        }
    }

    private TensorSlice slice(String name) {
        TensorSlice slice = header.tensors().get(name);
        if (slice == null) {
            throw UnknownTensorException.of(name, path.toString(), names);
        }
        return slice;
    }
}
