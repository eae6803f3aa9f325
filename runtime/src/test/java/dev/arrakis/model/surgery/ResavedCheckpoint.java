package dev.arrakis.model.surgery;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.io.TensorData;
import dev.arrakis.io.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The independent route to an edited model: the ORIGINAL checkpoint's tensors, under their HF names, rearranged by
 * hand and written as a new checkpoint with its config's layer count changed. No canonical weight, no surgery code.
 */
final class ResavedCheckpoint {
    private final Path original;
    private final Pattern layerName;
    private final String layerCountKey;
    private final Map<String, float[]> values = new LinkedHashMap<>();
    private final Map<String, long[]> shapes = new LinkedHashMap<>();

    /**
     * @param layerPrefix the HF prefix before a layer number, e.g. {@code transformer.h.} or {@code model.layers.}
     * @param layerCountKey the config key of the layer count, e.g. {@code n_layer}
     */
    ResavedCheckpoint(Path original, String layerPrefix, String layerCountKey) {
        this.original = original;
        this.layerName = Pattern.compile(Pattern.quote(layerPrefix) + "(\\d+)\\.(.*)");
        this.layerCountKey = layerCountKey;
        try (SafetensorsFile file = SafetensorsFile.open(original.resolve("model.safetensors"))) {
            for (String name : file.names()) {
                values.put(name, file.readFloats(name));
                shapes.put(name, file.info(name).shape());
            }
        }
    }

    float[] tensor(String name) {
        return values.get(name);
    }

    long[] shape(String name) {
        return shapes.get(name);
    }

    /** Changes tensors in place before saving, e.g. a hand-written head blend in the HF layout. */
    ResavedCheckpoint edit(BiConsumer<Map<String, float[]>, Map<String, long[]>> change) {
        change.accept(values, shapes);
        return this;
    }

    /**
     * Writes the checkpoint whose layer {@code i} is the original's layer {@code order.get(i)} into {@code target}
     * and returns the directory.
     */
    Path save(Path target, List<Integer> order) throws IOException {
        Files.createDirectories(target);
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        values.forEach((name, data) -> {
            Matcher matcher = layerName.matcher(name);
            if (!matcher.matches()) {
                tensors.put(name, TensorData.f32(shapes.get(name), data));
                return;
            }
            int layer = Integer.parseInt(matcher.group(1));
            String prefix = name.substring(0, matcher.start(1));
            for (int i = 0; i < order.size(); i++) {
                if (order.get(i) == layer) {
                    tensors.put(prefix + i + "." + matcher.group(2), TensorData.f32(shapes.get(name), data));
                }
            }
        });
        SafetensorsWriter.write(target.resolve("model.safetensors"), tensors, Map.of());
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(original.resolve("config.json").toFile());
        config.put(layerCountKey, order.size());
        json.writeValue(target.resolve("config.json").toFile(), config);
        return target;
    }
}
