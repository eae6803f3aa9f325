package dev.arrakis.model;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Typed reads of an HF {@code config.json}; every failure names the file and the key. */
public final class ConfigReader {
    private final JsonNode root;
    private final Path file;

    public ConfigReader(JsonNode root, Path file) {
        this.root = root;
        this.file = file;
    }

    public static ConfigReader read(Path file) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ModelLoadException("cannot read model config " + file + ": " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ModelLoadException("model config " + file + " is not a JSON object");
        }
        return new ConfigReader(root, file);
    }

    public Path file() {
        return file;
    }

    public boolean has(String key) {
        JsonNode value = root.get(key);
        return value != null && !value.isNull();
    }

    public String string(String key, String fallback) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isTextual()) {
            throw invalid(key, "a string", value);
        }
        return value.asText();
    }

    public int requiredInt(String key) {
        if (!has(key)) {
            throw new ModelLoadException("model config " + file + " has no '" + key + "'");
        }
        return integer(key, 0);
    }

    public int integer(String key, int fallback) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.canConvertToInt() || !value.isIntegralNumber()) {
            throw invalid(key, "an integer", value);
        }
        return value.asInt();
    }

    public double number(String key, double fallback) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isNumber()) {
            throw invalid(key, "a number", value);
        }
        return value.asDouble();
    }

    public boolean bool(String key, boolean fallback) {
        JsonNode value = root.get(key);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isBoolean()) {
            throw invalid(key, "true or false", value);
        }
        return value.asBoolean();
    }

    private ModelLoadException invalid(String key, String expected, JsonNode value) {
        return new ModelLoadException("model config " + file + ": '" + key + "' must be " + expected + ", got " + value);
    }
}
