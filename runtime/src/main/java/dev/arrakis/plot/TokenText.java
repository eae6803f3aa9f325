package dev.arrakis.plot;

/**
 * How a token is shown to a reader: in pictures, on pages and in the terminal alike. A tokenizer's pieces are often
 * invisible or break a line up: GPT-2's leading spaces, newlines, control bytes of a byte-level vocabulary, the
 * replacement character U+FFFD for half of a multi-byte character. Each of these is given a visible form, and
 * everything else is left as it is.
 *
 * <ul>
 *   <li>a leading or trailing space: {@code ·} (U+00B7), so {@code " Mary"} reads {@code ·Mary}; spaces inside a
 *       token stay spaces, visible between its letters;
 *   <li>newline, carriage return and tab: {@code \n}, {@code \r}, {@code \t};
 *   <li>other control characters: {@code \xNN} up to U+00FF ({@code \x11}), {@code \}{@code uNNNN} beyond;
 *   <li>U+FFFD, format characters (zero-width spaces and joiners, direction marks), line and paragraph
 *       separators, unassigned code points and unpaired surrogates: {@code \}{@code uNNNN} ({@code \}{@code uFFFD});
 *   <li>a backslash: {@code \\}, so that every escape above is unambiguous.
 * </ul>
 *
 * <p>The empty token is shown as {@code ∅}.
 */
public final class TokenText {
    /** Stands for a space at either end of a token. */
    public static final char VISIBLE_SPACE = '\u00B7';
    /** Stands for an empty token. */
    public static final String EMPTY = "\u2205";

    private TokenText() {}

    /** {@code token} with its invisible and line-breaking characters made visible, as the class describes. */
    public static String display(String token) {
        if (token.isEmpty()) {
            return EMPTY;
        }
        int first = 0;
        while (first < token.length() && token.charAt(first) == ' ') {
            first++;
        }
        int end = token.length();
        while (end > first && token.charAt(end - 1) == ' ') {
            end--;
        }
        StringBuilder shown = new StringBuilder(token.length() + 8);
        shown.append(String.valueOf(VISIBLE_SPACE).repeat(first));
        for (int index = first; index < end; ) {
            int code = token.codePointAt(index);
            index += Character.charCount(code);
            appendVisible(shown, code);
        }
        shown.append(String.valueOf(VISIBLE_SPACE).repeat(token.length() - end));
        return shown.toString();
    }

    private static void appendVisible(StringBuilder shown, int code) {
        switch (code) {
            case '\\' -> shown.append("\\\\");
            case '\n' -> shown.append("\\n");
            case '\r' -> shown.append("\\r");
            case '\t' -> shown.append("\\t");
            default -> {
                int type = Character.getType(code);
                if (type == Character.CONTROL && code <= 0xFF) {
                    shown.append(String.format("\\x%02X", code));
                } else if (type == Character.CONTROL || type == Character.FORMAT || type == Character.SURROGATE
                        || type == Character.UNASSIGNED || code == 0xFFFD || type == Character.LINE_SEPARATOR
                        || type == Character.PARAGRAPH_SEPARATOR) {
                    shown.append(String.format("\\u%04X", code));
                } else {
                    shown.appendCodePoint(code);
                }
            }
        }
    }
}
