package dev.arrakis.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.ArrakisException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Opens a checkpoint split over shards by a {@code model.safetensors.index.json} of the form
 * {@code {"metadata": {...}, "weight_map": {tensor: shard file}}}. Every mapping is checked at open, so a broken
 * index fails at once rather than halfway through loading a model.
 */
final class ShardedCheckpoint {
    /** Real indexes are kilobytes; the cap keeps a corrupt one from exhausting memory. */
    private static final long MAX_INDEX_BYTES = 100_000_000;

    private ShardedCheckpoint() {
    }

    static WeightSource open(Path directory, Path index) {
        Map<String, String> shardByTensor = readWeightMap(index);
        Path root = directory.toAbsolutePath().normalize();
        Map<String, SafetensorsFile> fileByShard = new HashMap<>();
        List<SafetensorsFile> opened = new ArrayList<>();
        try {
            Map<String, SafetensorsFile> fileByTensor = new LinkedHashMap<>();
            for (Map.Entry<String, String> mapping : shardByTensor.entrySet()) {
                String tensor = mapping.getKey();
                String shard = mapping.getValue();
                SafetensorsFile file = fileByShard.get(shard);
                if (file == null) {
                    file = SafetensorsFile.open(existingShard(root, index, tensor, shard));
                    opened.add(file);
                    fileByShard.put(shard, file);
                }
                if (!file.contains(tensor)) {
                    throw new SafetensorsFormatException(index, tensor,
                            "the index maps it to shard '" + shard + "', which holds no such tensor");
                }
                fileByTensor.put(tensor, file);
            }
            return new SafetensorsWeightSource(directory, fileByTensor, opened);
        } catch (RuntimeException e) {
            opened.forEach(file -> closeAfterFailure(file, e));
            throw e;
        }
    }

    /**
     * The shard's file, which must exist inside the directory.
     */
    private static Path existingShard(Path root, Path index, String tensor, String shard) {
        requireInside(index, tensor, shard);
        Path path = root.resolve(shard).normalize();
        if (!Files.isRegularFile(path)) {
            throw new SafetensorsFormatException(index, tensor,
                    "the index maps it to shard '" + shard + "', which does not exist in " + root);
        }
        return path;
    }

    /**
     * Refuses a shard name that would leave the checkpoint directory: absolute, climbing out with {@code ..}, empty
     * or not a path at all. Both local readers of the index go through here (opening the checkpoint and listing its
     * weight files, which are hashed into every run record); the hub's downloader checks the same names against its
     * cache with errors of its own. The check is lexical on purpose: the
     * Hugging Face cache links each shard to a blob outside the snapshot directory, which must stay readable.
     */
    private static void requireInside(Path index, String tensor, String shard) {
        String mapping = "the index maps it to shard '" + shard + "', ";
        Path name;
        try {
            name = Path.of(shard).normalize();
        } catch (InvalidPathException e) {
            throw new SafetensorsFormatException(index, tensor, mapping + "which is not a valid path", e);
        }
        if (name.isAbsolute() || name.toString().isEmpty() || name.startsWith("..")) {
            throw new SafetensorsFormatException(index, tensor, mapping + "which lies outside the checkpoint"
                    + " directory " + index.toAbsolutePath().getParent());
        }
    }

    /** Each shard file the index names, once, in index order, every name checked to stay inside the directory. */
    static List<Path> shardFiles(Path directory, Path index) {
        List<Path> files = new ArrayList<>();
        readWeightMap(index).forEach((tensor, shard) -> {
            requireInside(index, tensor, shard);
            Path file = directory.resolve(shard);
            if (!files.contains(file)) {
                files.add(file);
            }
        });
        return files;
    }

    static Map<String, String> readWeightMap(Path index) {
        JsonNode root;
        try {
            if (Files.size(index) > MAX_INDEX_BYTES) {
                throw new SafetensorsFormatException(index, "the index is larger than " + MAX_INDEX_BYTES + " bytes");
            }
            root = Json.MAPPER.readTree(Files.readAllBytes(index));
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(index, null, "the index is not valid JSON: " + e.getOriginalMessage(),
                    e);
        } catch (IOException e) {
            throw new ArrakisException("Cannot read checkpoint index " + index + ": " + e, e);
        }
        JsonNode weightMap = root.get("weight_map");
        if (weightMap == null || !weightMap.isObject()) {
            throw new SafetensorsFormatException(index, "the index has no \"weight_map\" object");
        }
        Map<String, String> shardByTensor = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> mapping : weightMap.properties()) {
            if (!mapping.getValue().isTextual()) {
                throw new SafetensorsFormatException(index, mapping.getKey(),
                        "the index maps it to " + mapping.getValue() + ", not to a shard file name");
            }
            shardByTensor.put(mapping.getKey(), mapping.getValue().textValue());
        }
        return shardByTensor;
    }

    private static void closeAfterFailure(SafetensorsFile file, RuntimeException failure) {
        try {
            file.close();
        } catch (ArrakisException closeFailure) {
            failure.addSuppressed(closeFailure);
        }
    }
}
