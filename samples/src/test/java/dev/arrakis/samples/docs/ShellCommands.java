package dev.arrakis.samples.docs;

import java.util.ArrayList;
import java.util.List;

/**
 * The commands of a shell block, split into the words the shell would pass: quotes and backslashes as bash reads
 * them, {@code #} comments dropped, {@code &&}, {@code ||}, {@code ;}, {@code |} and {@code &} ending a command,
 * redirections dropped with their targets, a trailing backslash joining the next line.
 */
final class ShellCommands {

    /**
     * @param docLine the Markdown line the command starts on
     * @param words the command's words, the program first
     */
    record Command(int docLine, List<String> words) {
        String text() {
            return String.join(" ", words);
        }
    }

    private ShellCommands() {
    }

    static List<Command> of(CodeBlock block) {
        List<Command> commands = new ArrayList<>();
        List<String> lines = block.lines();
        for (int i = 0; i < lines.size(); i++) {
            int firstLine = block.docLine(i);
            StringBuilder logical = new StringBuilder(lines.get(i));
            while (endsWithContinuation(logical) && i + 1 < lines.size()) {
                logical.setLength(logical.length() - 1);
                logical.append(' ').append(lines.get(++i));
            }
            for (List<String> words : split(logical.toString())) {
                commands.add(new Command(firstLine, words));
            }
        }
        return commands;
    }

    private static boolean endsWithContinuation(CharSequence line) {
        return line.length() > 0 && line.charAt(line.length() - 1) == '\\';
    }

    /** The simple commands of one logical line. */
    static List<List<String>> split(String line) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        boolean dropNextWord = false;
        int at = 0;
        while (at <= line.length()) {
            char c = at < line.length() ? line.charAt(at) : '\n';
            boolean endsWord = Character.isWhitespace(c) || c == ';' || c == '|' || c == '&' || c == '>' || c == '<';
            if (endsWord && word != null) {
                if (dropNextWord) {
                    dropNextWord = false;
                } else {
                    words.add(word.toString());
                }
                word = null;
            }
            if (c == '\n' || (c == '#' && word == null)) {
                break;
            } else if (c == ';' || c == '|' || c == '&') {
                endCommand(commands, words);
                words = new ArrayList<>();
                at++;
            } else if (c == '>' || c == '<') {
                if (!words.isEmpty() && words.get(words.size() - 1).matches("\\d")) {
                    words.remove(words.size() - 1);   // the descriptor of 2> and the like
                }
                dropNextWord = true;
                at++;
            } else if (Character.isWhitespace(c)) {
                at++;
            } else {
                word = word == null ? new StringBuilder() : word;
                at = readWordPart(line, at, word);
            }
        }
        endCommand(commands, words);
        return commands;
    }

    private static void endCommand(List<List<String>> commands, List<String> words) {
        if (!words.isEmpty()) {
            commands.add(List.copyOf(words));
        }
    }

    /** Appends one quoted string, escaped character or plain character to the word; returns the index after it. */
    private static int readWordPart(String line, int at, StringBuilder word) {
        char c = line.charAt(at);
        if (c == '\\' && at + 1 < line.length()) {
            word.append(line.charAt(at + 1));
            return at + 2;
        }
        if (c == '\'') {
            int close = line.indexOf('\'', at + 1);
            int end = close < 0 ? line.length() : close;
            word.append(line, at + 1, end);
            return end + 1;
        }
        if (c == '"') {
            int i = at + 1;
            while (i < line.length() && line.charAt(i) != '"') {
                if (line.charAt(i) == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    i++;
                }
                word.append(line.charAt(i++));
            }
            return i + 1;
        }
        word.append(c);
        return at + 1;
    }
}
