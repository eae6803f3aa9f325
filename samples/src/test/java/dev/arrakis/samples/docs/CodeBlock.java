package dev.arrakis.samples.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A fenced code block of a Markdown file.
 *
 * @param file the file as the reader knows it, relative to the project ({@code docs/runs.md})
 * @param fenceLine the 1-based line of the opening fence
 * @param language the fence's info string up to its first space, lower case; empty for a bare fence
 * @param lines the block's text, line by line
 * @param runnable whether the line before the fence is {@value #RUNNABLE_MARKER}
 * @param testedBy the test source named by a line {@code <!-- tested-by: PATH -->} before the fence (a path relative
 *     to the project), or empty: that test reads the block from this file and checks it in its real setting, such as
 *     a user's project outside the repository, where this harness could not
 */
record CodeBlock(String file, int fenceLine, String language, List<String> lines, boolean runnable, String testedBy) {

    static final String RUNNABLE_MARKER = "<!-- runnable -->";
    private static final Pattern TESTED_BY_MARKER = Pattern.compile("<!-- tested-by: (\\S+) -->");

    private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*).*$");

    CodeBlock {
        lines = List.copyOf(lines);
    }

    /** The Markdown line of the block's {@code index}-th line (0-based). */
    int docLine(int index) {
        return fenceLine + 1 + index;
    }

    String label() {
        return file + ":" + fenceLine;
    }

    /** The README and every Markdown file under docs/, in a stable order. */
    static List<CodeBlock> inProjectDocs(Path projectDir) {
        List<Path> files = new ArrayList<>();
        files.add(projectDir.resolve("README.md"));
        try (Stream<Path> docs = Files.walk(projectDir.resolve("docs"))) {
            docs.filter(path -> path.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<CodeBlock> blocks = new ArrayList<>();
        for (Path file : files) {
            String name = projectDir.relativize(file).toString().replace('\\', '/');
            try {
                blocks.addAll(parse(name, Files.readAllLines(file)));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return blocks;
    }

    /** The fenced blocks of one Markdown text; an unclosed fence runs to the end of the file, as CommonMark says. */
    static List<CodeBlock> parse(String file, List<String> markdown) {
        List<CodeBlock> blocks = new ArrayList<>();
        for (int i = 0; i < markdown.size(); i++) {
            Matcher open = FENCE.matcher(markdown.get(i));
            if (!open.matches()) {
                continue;
            }
            String fence = open.group(1);
            String language = open.group(2).toLowerCase(Locale.ROOT);
            String previous = i > 0 ? markdown.get(i - 1).trim() : "";
            boolean runnable = previous.equals(RUNNABLE_MARKER);
            Matcher testedBy = TESTED_BY_MARKER.matcher(previous);
            int end = i + 1;
            while (end < markdown.size() && !closes(markdown.get(end), fence)) {
                end++;
            }
            blocks.add(new CodeBlock(file, i + 1, language, markdown.subList(i + 1, end), runnable,
                    testedBy.matches() ? testedBy.group(1) : ""));
            i = end;
        }
        return blocks;
    }

    private static boolean closes(String line, String fence) {
        String trimmed = line.strip();
        return line.indexOf(fence.charAt(0)) <= 3 && trimmed.length() >= fence.length()
                && trimmed.chars().allMatch(c -> c == fence.charAt(0));
    }
}
