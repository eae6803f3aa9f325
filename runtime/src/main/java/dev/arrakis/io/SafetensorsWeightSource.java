package dev.arrakis.io;

import dev.arrakis.ArrakisException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A checkpoint made of one or more safetensors files, each tensor read from the file that holds it. */
final class SafetensorsWeightSource implements WeightSource {
    private final Path directory;
    private final Map<String, SafetensorsFile> fileByTensor;
    private final Collection<SafetensorsFile> files;
    private final Set<String> names;

    /** @param fileByTensor the file of each tensor, in the order {@link #names()} reports them */
    SafetensorsWeightSource(Path directory, Map<String, SafetensorsFile> fileByTensor,
            Collection<SafetensorsFile> files) {
        this.directory = directory;
        this.fileByTensor = fileByTensor;
        this.files = List.copyOf(files);
        this.names = Collections.unmodifiableSet(new LinkedHashSet<>(fileByTensor.keySet()));
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public boolean contains(String name) {
        return fileByTensor.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        return fileOf(name).info(name);
    }

    @Override
    public ByteBuffer bytes(String name) {
        return fileOf(name).bytes(name);
    }

    @Override
    public float[] readFloats(String name) {
        return fileOf(name).readFloats(name);
    }

    /** Closes every file, even when one fails, and reports the first failure with the rest suppressed. */
    @Override
    public void close() {
        ArrakisException failure = null;
        for (SafetensorsFile file : files) {
            try {
                file.close();
            } catch (ArrakisException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private SafetensorsFile fileOf(String name) {
        SafetensorsFile file = fileByTensor.get(name);
        if (file == null) {
            throw UnknownTensorException.of(name, "checkpoint " + directory, names);
        }
        return file;
    }
}
