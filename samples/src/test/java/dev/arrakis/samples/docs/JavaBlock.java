package dev.arrakis.samples.docs;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A ```java block as the compiler sees it: its own imports at the top, then either a compilation unit (when the
 * code after the imports declares a type) or statements, which become the body of {@value #SNIPPET_METHOD}() in a
 * generated class {@value #SNIPPET_CLASS}. Blocks have no package, so each compiles on its own.
 */
final class JavaBlock {

    enum Kind { COMPILATION_UNIT, STATEMENTS }

    static final String SNIPPET_CLASS = "DocSnippet";
    static final String SNIPPET_METHOD = "snippet";

    private static final Pattern IMPORT = Pattern.compile("import\\s+(static\\s+)?[\\w.]+(\\.\\*)?\\s*;\\s*(//.*)?");
    /** A user project's class declares its package (docs/getting-started.md); a block's other classes do not. */
    private static final Pattern PACKAGE = Pattern.compile("package\\s+[\\w.]+\\s*;");
    private static final Set<String> MODIFIERS = Set.of("public", "protected", "private", "abstract", "static",
            "final", "sealed", "non-sealed", "strictfp");
    private static final Set<String> TYPE_KEYWORDS = Set.of("class", "record", "interface", "enum");
    /** The lines the statements' wrapper puts between the imports and the block's first statement. */
    private static final int WRAPPER_HEADER_LINES = 2;

    private final CodeBlock block;
    private final Kind kind;
    private final String typeName;
    private final String source;
    private final int importLines;

    private JavaBlock(CodeBlock block, Kind kind, String typeName, String source, int importLines) {
        this.block = block;
        this.kind = kind;
        this.typeName = typeName;
        this.source = source;
        this.importLines = importLines;
    }

    static JavaBlock of(CodeBlock block) {
        List<String> lines = block.lines();
        int importLines = 0;
        while (importLines < lines.size() && isImportSectionLine(lines.get(importLines).strip())) {
            importLines++;
        }
        String code = String.join("\n", lines.subList(importLines, lines.size()));
        Optional<String> declared = declaredType(code);
        if (declared.isPresent()) {
            return new JavaBlock(block, Kind.COMPILATION_UNIT, declared.get(), String.join("\n", lines) + "\n", 0);
        }
        String source = String.join("\n", lines.subList(0, importLines)) + (importLines > 0 ? "\n" : "")
                + "public final class " + SNIPPET_CLASS + " {\n"
                + "public void " + SNIPPET_METHOD + "() throws Exception {\n"
                + code + "\n}\n}\n";
        return new JavaBlock(block, Kind.STATEMENTS, SNIPPET_CLASS, source, importLines);
    }

    CodeBlock block() {
        return block;
    }

    Kind kind() {
        return kind;
    }

    /** The class the source file is named after: the declared type, or the statements' wrapper. */
    String typeName() {
        return typeName;
    }

    String source() {
        return source;
    }

    /** The Markdown line of a (1-based) line of {@link #source()}. */
    int docLine(long sourceLine) {
        int index = (int) sourceLine - 1;
        if (kind == Kind.STATEMENTS && index >= importLines) {
            index = Math.max(importLines, index - WRAPPER_HEADER_LINES);
        }
        return block.docLine(Math.min(index, Math.max(0, block.lines().size() - 1)));
    }

    /** The Markdown text of a (1-based) line of {@link #source()}, or "" for the wrapper's own lines. */
    String docText(long sourceLine) {
        int index = block.lines().isEmpty() ? -1 : docLine(sourceLine) - block.docLine(0);
        return index >= 0 && index < block.lines().size() ? block.lines().get(index).strip() : "";
    }

    private static boolean isImportSectionLine(String line) {
        return line.isEmpty() || line.startsWith("//") || IMPORT.matcher(line).matches()
                || PACKAGE.matcher(line).matches();
    }

    /**
     * The name of the type the code starts by declaring, past annotations (with their arguments), modifiers and
     * comments; empty when the code starts otherwise, as statements do.
     */
    static Optional<String> declaredType(String code) {
        int at = 0;
        while (true) {
            at = skipSpaceAndComments(code, at);
            if (at >= code.length()) {
                return Optional.empty();
            }
            if (code.startsWith("@interface", at)) {
                return identifierAt(code, skipSpaceAndComments(code, at + "@interface".length()));
            }
            if (code.charAt(at) == '@') {
                at = skipSpaceAndComments(code, at + 1 + qualifiedNameLength(code, at + 1));
                if (at < code.length() && code.charAt(at) == '(') {
                    at = skipBalancedParentheses(code, at);
                }
                continue;
            }
            Optional<String> word = identifierAt(code, at);
            if (word.isEmpty()) {
                return Optional.empty();
            }
            if (MODIFIERS.contains(word.get())) {
                at += word.get().length();
                continue;
            }
            if (TYPE_KEYWORDS.contains(word.get())) {
                return identifierAt(code, skipSpaceAndComments(code, at + word.get().length()));
            }
            return Optional.empty();
        }
    }

    private static Optional<String> identifierAt(String code, int at) {
        int end = at;
        while (end < code.length() && (Character.isJavaIdentifierPart(code.charAt(end)) || code.charAt(end) == '-')) {
            end++;
        }
        boolean identifier = end > at && Character.isJavaIdentifierStart(code.charAt(at));
        return identifier ? Optional.of(code.substring(at, end)) : Optional.empty();
    }

    private static int qualifiedNameLength(String code, int at) {
        int end = at;
        while (end < code.length() && (Character.isJavaIdentifierPart(code.charAt(end)) || code.charAt(end) == '.')) {
            end++;
        }
        return end - at;
    }

    private static int skipSpaceAndComments(String code, int at) {
        while (at < code.length()) {
            if (Character.isWhitespace(code.charAt(at))) {
                at++;
            } else if (code.startsWith("//", at)) {
                int newline = code.indexOf('\n', at);
                at = newline < 0 ? code.length() : newline + 1;
            } else if (code.startsWith("/*", at)) {
                int close = code.indexOf("*/", at + 2);
                at = close < 0 ? code.length() : close + 2;
            } else {
                break;
            }
        }
        return at;
    }

    /** The index after the parenthesis that closes the one at {@code open}, skipping string and char literals. */
    private static int skipBalancedParentheses(String code, int open) {
        int depth = 0;
        for (int at = open; at < code.length(); at++) {
            char c = code.charAt(at);
            if (c == '"' || c == '\'') {
                at++;
                while (at < code.length() && code.charAt(at) != c) {
                    at += code.charAt(at) == '\\' ? 2 : 1;
                }
            } else if (c == '(') {
                depth++;
            } else if (c == ')' && --depth == 0) {
                return at + 1;
            }
        }
        return code.length();
    }
}
