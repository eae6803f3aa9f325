package dev.arrakis.train;

import dev.arrakis.ArrakisException;
import dev.arrakis.io.SafetensorsDType;
import dev.arrakis.io.TensorData;
import dev.arrakis.io.TensorInfo;
import dev.arrakis.io.WeightSource;
import dev.arrakis.util.DidYouMean;
import java.nio.ByteBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/** F32 tensors held in memory, named as in a checkpoint file, so that a model can be created without writing one. */
final class InMemoryWeights implements WeightSource {
    private final Map<String, TensorData> tensors;

    InMemoryWeights(Map<String, TensorData> tensors) {
        for (Map.Entry<String, TensorData> entry : tensors.entrySet()) {
            if (entry.getValue().dtype() != SafetensorsDType.F32) {
                throw new IllegalArgumentException("tensor '" + entry.getKey() + "' is "
                        + entry.getValue().dtype() + "; in-memory weights are F32");
            }
        }
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
    }

    @Override
    public Set<String> names() {
        return tensors.keySet();
    }

    @Override
    public boolean contains(String name) {
        return tensors.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorData tensor = tensor(name);
        return new TensorInfo(name, tensor.dtype(), tensor.shape());
    }

    @Override
    public ByteBuffer bytes(String name) {
        return tensor(name).data();
    }

    @Override
    public float[] readFloats(String name) {
        ByteBuffer bytes = tensor(name).data();
        float[] values = new float[bytes.remaining() / Float.BYTES];
        bytes.asFloatBuffer().get(values);
        return values;
    }

    private TensorData tensor(String name) {
        TensorData tensor = tensors.get(name);
        if (tensor == null) {
            throw new ArrakisException("no tensor '" + name + "' among the in-memory weights"
                    + DidYouMean.hint(name, tensors.keySet()));
        }
        return tensor;
    }

    @Override
    public void close() {}
}
