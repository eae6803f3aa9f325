package dev.arrakis.spec;

import java.util.Map;

/**
 * Typed reads of an HF {@code config.json} that some JSON library has already parsed into maps, lists, strings,
 * numbers and booleans. It takes no JSON library itself so that the annotation processor and the runtime read a
 * config through the same code; every failure names the file and the key.
 */
public final class ConfigReader {
    private final Map<String, ?> root;
    private final String source;

    /**
     * @param root the parsed top-level object
     * @param source what to call the file in messages, usually its path
     */
    public ConfigReader(Map<String, ?> root, String source) {
        // JSON null means "not set", as HF reads it (n_inner: null is the default width)
        Map<String, Object> set = new java.util.HashMap<>();
        root.forEach((key, value) -> {
            if (value != null) {
                set.put(key, value);
            }
        });
        this.root = Map.copyOf(set);
        this.source = source;
    }

    public String source() {
        return source;
    }

    public boolean has(String key) {
        return root.containsKey(key);
    }

    public String string(String key, String fallback) {
        Object value = root.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof String text)) {
            throw invalid(key, "a string", value);
        }
        return text;
    }

    public int requiredInt(String key) {
        if (!has(key)) {
            throw new ModelConfigException("model config " + source + " has no '" + key + "'");
        }
        return integer(key, 0);
    }

    public int integer(String key, int fallback) {
        Object value = root.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof java.math.BigInteger)) {
            throw invalid(key, "an integer", value);
        }
        long wide = ((Number) value).longValue();
        if (wide != ((Number) value).doubleValue() || wide < Integer.MIN_VALUE || wide > Integer.MAX_VALUE) {
            throw invalid(key, "an integer", value);
        }
        return (int) wide;
    }

    public double number(String key, double fallback) {
        Object value = root.get(key);
        if (value == null) {
            return fallback;
        }
        // A JSON number too large for a double (1e999) parses as infinity, which no setting of a model means.
        if (!(value instanceof Number number) || !Double.isFinite(number.doubleValue())) {
            throw invalid(key, "a finite number", value);
        }
        return number.doubleValue();
    }

    public boolean bool(String key, boolean fallback) {
        Object value = root.get(key);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean flag)) {
            throw invalid(key, "true or false", value);
        }
        return flag;
    }

    /** A nested object such as {@code rope_scaling}, read with the same checks, or null when absent. */
    public ConfigReader child(String key) {
        Object value = root.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw invalid(key, "an object", value);
        }
        Map<String, Object> entries = new java.util.LinkedHashMap<>();
        map.forEach((name, entry) -> entries.put(String.valueOf(name), entry));
        return new ConfigReader(entries, source + " '" + key + "'");
    }

    /** A list of numbers, or null when absent. */
    public java.util.List<Double> numbers(String key) {
        Object value = root.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof java.util.List<?> list)
                || !list.stream().allMatch(element -> element instanceof Number)) {
            throw invalid(key, "a list of numbers", value);
        }
        return list.stream().map(element -> ((Number) element).doubleValue()).toList();
    }

    /**
     * A list whose elements the caller interprets (GPT-Neo's nested {@code attention_types}), or null when absent.
     */
    public java.util.List<?> list(String key) {
        Object value = root.get(key);
        if (value == null) {
            return null;
        }
        if (!(value instanceof java.util.List<?> list)) {
            throw invalid(key, "a list", value);
        }
        return list;
    }

    /** A list of strings, or null when absent. */
    public java.util.List<String> strings(String key) {
        java.util.List<?> list = list(key);
        if (list == null) {
            return null;
        }
        if (!list.stream().allMatch(element -> element instanceof String)) {
            throw invalid(key, "a list of strings", list);
        }
        return list.stream().map(String.class::cast).toList();
    }

    /** A failure about this file that the caller found (a value out of range, an unsupported setting). */
    public ModelConfigException problem(String text) {
        return new ModelConfigException("model config " + source + ": " + text);
    }

    private ModelConfigException invalid(String key, String expected, Object value) {
        String shown = value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
        return problem("'" + key + "' must be " + expected + ", got " + shown);
    }
}
