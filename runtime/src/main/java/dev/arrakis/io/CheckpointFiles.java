package dev.arrakis.io;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.ArrakisException;
import dev.arrakis.spec.ConfigReader;
import dev.arrakis.spec.ModelConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Finds the weights of a Hugging Face checkpoint directory. */
public final class CheckpointFiles {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";
    public static final String CONFIG_FILE = "config.json";
    private static final int LISTED_ENTRIES = 20;

    private CheckpointFiles() {
    }

    /**
     * Opens the checkpoint's {@code model.safetensors}, or else the shards its {@code model.safetensors.index.json}
     * names.
     *
     * @throws UnsupportedCheckpointException if the directory holds only PyTorch pickle weights, which are never read
     * @throws SafetensorsFormatException if a weight file or the index is malformed
     * @throws ArrakisException if the directory holds no weights at all
     */
    public static WeightSource open(Path directory) {
        requireDirectory(directory);
        if (Files.isRegularFile(directory.resolve(SINGLE_FILE))) {
            return singleFile(directory);
        }
        Path index = directory.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return ShardedCheckpoint.open(directory, index);
        }
        // Only names are looked at: a pickle file is never opened, not even to check what it holds.
        List<String> entries = entries(directory);
        List<String> pickleFiles = entries.stream().filter(CheckpointFiles::isPickleName).toList();
        if (!pickleFiles.isEmpty()) {
            throw new UnsupportedCheckpointException(directory, pickleFiles);
        }
        throw new ArrakisException("No model weights in " + directory + ": expected " + SINGLE_FILE + " or "
                + INDEX_FILE + ", but found " + describe(entries));
    }

    /**
     * The weight files {@link #open} reads: {@code model.safetensors}, or each shard the index names once, in index
     * order.
     */
    public static List<Path> weightFiles(Path directory) {
        requireDirectory(directory);
        if (Files.isRegularFile(directory.resolve(SINGLE_FILE))) {
            return List.of(directory.resolve(SINGLE_FILE));
        }
        Path index = directory.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return ShardedCheckpoint.shardFiles(directory, index);
        }
        return List.of();
    }

    /** @throws ArrakisException if the directory has no {@code config.json} */
    public static Path configFile(Path directory) {
        requireDirectory(directory);
        Path config = directory.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(config)) {
            throw new ArrakisException("No " + CONFIG_FILE + " in " + directory + "; a Hugging Face checkpoint keeps"
                    + " the model's configuration there, next to its weights. Found " + describe(entries(directory)));
        }
        return config;
    }

    /** The directory's {@code config.json}, parsed; a file that is not one JSON object is a typed error. */
    public static ConfigReader readConfig(Path directory) {
        return readConfigFile(configFile(directory));
    }

    public static ConfigReader readConfigFile(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelConfigException("cannot read model config " + file + ": " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ModelConfigException("model config " + file + " is not a JSON object");
        }
        Map<String, Object> values = Json.MAPPER.convertValue(root, new TypeReference<Map<String, Object>>() {});
        return new ConfigReader(values, file.toString());
    }

    private static WeightSource singleFile(Path directory) {
        SafetensorsFile file = SafetensorsFile.open(directory.resolve(SINGLE_FILE));
        Map<String, SafetensorsFile> fileByTensor = new LinkedHashMap<>();
        file.names().forEach(name -> fileByTensor.put(name, file));
        return new SafetensorsWeightSource(directory, fileByTensor, List.of(file));
    }

    /**
     * The {@code weight_map} of a {@code model.safetensors.index.json}: tensor name to shard file, in file order.
     *
     * @throws SafetensorsFormatException if the index is not JSON, has no weight map, or maps a tensor to a non-name
     */
    public static Map<String, String> weightMap(Path index) {
        return ShardedCheckpoint.readWeightMap(index);
    }

    /** Whether a file name is one of PyTorch's pickle formats, which Arrakis recognises by name and never opens. */
    public static boolean isPickleName(String fileName) {
        return fileName.endsWith(".pt")
                || fileName.endsWith(".pth")
                || fileName.startsWith("pytorch_model")
                        && (fileName.endsWith(".bin") || fileName.endsWith(".bin.index.json"));
    }

    private static void requireDirectory(Path directory) {
        if (!Files.isDirectory(directory)) {
            throw new ArrakisException("Checkpoint " + directory + " is not a directory");
        }
    }

    private static List<String> entries(Path directory) {
        try (Stream<Path> children = Files.list(directory)) {
            return children.map(child -> child.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new ArrakisException("Cannot list checkpoint directory " + directory + ": " + e, e);
        }
    }

    private static String describe(List<String> entries) {
        if (entries.isEmpty()) {
            return "an empty directory";
        }
        if (entries.size() <= LISTED_ENTRIES) {
            return entries.toString();
        }
        return entries.subList(0, LISTED_ENTRIES) + " and " + (entries.size() - LISTED_ENTRIES) + " more";
    }
}
