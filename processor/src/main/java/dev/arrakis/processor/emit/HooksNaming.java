package dev.arrakis.processor.emit;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * How hook points and models are named in generated hook classes. Names follow TransformerLens's with the
 * {@code hook_} prefix dropped: {@code blocks.9.attn.hook_pattern} is the constant {@code L9_ATTN_PATTERN} and the
 * accessor {@code blocks(9).attn().pattern()}; a leaf that repeats its group ({@code attn.hook_attn_scores}) drops
 * the repeat ({@code ATTN_SCORES}, {@code attn().scores()}).
 */
public final class HooksNaming {
    /** Java's reserved words; a hook point named like one gets an underscore after it. */
    private static final Set<String> KEYWORDS = Set.of("abstract", "assert", "boolean", "break", "byte", "case",
            "catch", "char", "class", "const", "continue", "default", "do", "double", "else", "enum", "extends",
            "final", "finally", "float", "for", "goto", "if", "implements", "import", "instanceof", "int",
            "interface", "long", "native", "new", "package", "private", "protected", "public", "return", "short",
            "static", "strictfp", "super", "switch", "synchronized", "this", "throw", "throws", "transient", "try",
            "void", "volatile", "while", "true", "false", "null", "var", "yield", "record", "sealed", "permits",
            "_");

    private HooksNaming() {}

    /** {@code Gpt2Hooks} for {@code gpt2}, {@code Pythia14bHooks} for {@code pythia-1.4b}. */
    public static String hooksClassForModel(String modelName) {
        return javaTypeName(modelName) + "Hooks";
    }

    /** {@code ToyHooks} for {@code models/toy/config.json}: the config's directory names the model. */
    public static String hooksClassForConfig(String configPath) {
        String normalized = configPath.replace('\\', '/');
        List<String> parts = new ArrayList<>(List.of(normalized.split("/")));
        parts.removeIf(part -> part.isEmpty() || part.equals("."));
        String base;
        if (parts.size() >= 2) {
            base = parts.get(parts.size() - 2);
        } else {
            String file = parts.isEmpty() ? "model" : parts.get(0);
            int dot = file.lastIndexOf('.');
            base = dot > 0 ? file.substring(0, dot) : file;
        }
        return javaTypeName(base) + "Hooks";
    }

    /** Upper camel case over the letters and digits of a name; a leading digit gets a letter before it. */
    static String javaTypeName(String name) {
        StringBuilder out = new StringBuilder();
        boolean upperNext = true;
        for (char c : name.toCharArray()) {
            if (Character.isLetterOrDigit(c) && c < 128) {
                out.append(upperNext ? Character.toUpperCase(c) : c);
                upperNext = false;
            } else {
                upperNext = true;
            }
        }
        if (out.length() == 0 || Character.isDigit(out.charAt(0))) {
            out.insert(0, 'M');
        }
        return out.toString();
    }

    /**
     * The words of a block-relative or top-level name: {@code attn.hook_attn_scores} is {@code [attn, scores]},
     * {@code hook_resid_pre} is {@code [resid_pre]}, {@code ln_final.hook_scale} is {@code [ln_final, scale]}.
     */
    static List<String> words(String relativeName) {
        List<String> segments = new ArrayList<>(List.of(relativeName.split("\\.")));
        int last = segments.size() - 1;
        String leaf = segments.get(last);
        if (leaf.startsWith("hook_")) {
            leaf = leaf.substring("hook_".length());
        }
        if (last > 0 && leaf.startsWith(segments.get(last - 1) + "_")) {
            leaf = leaf.substring(segments.get(last - 1).length() + 1);
        }
        segments.set(last, leaf);
        return segments;
    }

    /** {@code ATTN_PATTERN} for {@code attn.hook_pattern}. */
    static String constantName(String relativeName) {
        return String.join("_", words(relativeName)).toUpperCase(Locale.ROOT);
    }

    /** {@code residPre} for {@code resid_pre}; a keyword gets an underscore after it. */
    static String methodName(String word) {
        StringBuilder out = new StringBuilder();
        boolean upperNext = false;
        for (char c : word.toCharArray()) {
            if (c == '_') {
                upperNext = true;
            } else {
                out.append(upperNext ? Character.toUpperCase(c) : c);
                upperNext = false;
            }
        }
        String name = out.toString();
        return KEYWORDS.contains(name) ? name + "_" : name;
    }

    /** {@code LnFinal} for {@code ln_final}. */
    static String groupClassName(String group) {
        String method = methodName(group);
        return Character.toUpperCase(method.charAt(0)) + method.substring(1).replace("_", "");
    }
}
