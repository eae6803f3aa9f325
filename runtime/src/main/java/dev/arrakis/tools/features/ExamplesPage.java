package dev.arrakis.tools.features;

import dev.arrakis.ArrakisException;
import dev.arrakis.io.DurableFiles;
import dev.arrakis.model.Tokenizer;
import dev.arrakis.plot.HtmlView;
import dev.arrakis.plot.TokenText;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.function.LongFunction;

/**
 * A feature's top activating examples as one self-contained HTML page, one row per example, strongest first: its
 * rank, its activation, where it is in the dataset ({@code sequence:position}) and its context window, every token
 * shaded orange by the feature's value there (opacity = value / the top example's value; zero and below unshaded),
 * the example's own token outlined. Each token's tooltip gives {@code 'token': value}.
 *
 * <p>Like {@link HtmlView}, the page needs nothing else: it holds its own style, runs no script, and its content
 * security policy forbids fetching anything. Tokens are shown as {@link TokenText} shows them and escaped, never read
 * as markup; the same examples always give the same bytes.
 */
public final class ExamplesPage {
    private static final String STYLE = """
            body { margin: 16px 20px; font-family: system-ui, "DejaVu Sans", sans-serif; font-size: 14px;
              color: #212121; background: #ffffff; }
            h1 { font-size: 18px; margin: 0 0 8px 0; }
            .summary { color: #616161; font-size: 12px; margin: 0 0 12px 0; }
            table { border-collapse: collapse; }
            th { text-align: left; font-size: 12px; color: #616161; padding: 2px 8px;
              border-bottom: 1px solid #bdbdbd; }
            td { padding: 3px 8px; border-bottom: 1px solid #eeeeee; vertical-align: middle; }
            td.rank, td.activation, td.where { font-variant-numeric: tabular-nums; text-align: right; }
            .token { display: inline-block; white-space: pre; min-width: 0.4em; padding: 0 1px;
              font-family: ui-monospace, "DejaVu Sans Mono", monospace; border-right: 1px solid #e0e0e0; }
            .token.focus { outline: 2px solid #212121; outline-offset: -1px; font-weight: bold; }
            """;

    private final String title;
    private final String html;

    private ExamplesPage(String title, String html) {
        this.title = title;
        this.html = html;
    }

    /**
     * The page of {@code top}'s examples.
     *
     * @param tokenizer turns ids into text (each id decoded alone, so leading spaces stay); without one, tokens show as
     *     {@code #id}
     */
    public static ExamplesPage of(String title, TopActivatingExamples top, Optional<Tokenizer> tokenizer) {
        return of(title, top, id -> tokenizer.map(t -> t.decode(new long[] {id})).orElse("#" + id));
    }

    /** The page of {@code top}'s examples, with each token id turned into text by {@code tokenText}. */
    public static ExamplesPage of(String title, TopActivatingExamples top, LongFunction<String> tokenText) {
        Objects.requireNonNull(title, "title");
        List<TopActivatingExamples.Example> examples = top.examples();
        float strongest = examples.isEmpty() ? 0 : examples.get(0).activation();
        StringBuilder page = new StringBuilder(4096);
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ")
                .append("style-src 'unsafe-inline'\">\n<meta name=\"generator\" content=\"Arrakis ExamplesPage\">\n")
                .append("<title>").append(HtmlView.escapeHtml(title)).append("</title>\n<style>\n").append(STYLE)
                .append("</style>\n</head>\n<body>\n<h1>").append(HtmlView.escapeHtml(title)).append("</h1>\n")
                .append("<p class=\"summary\">").append(HtmlView.escapeHtml(top.feature().label()))
                .append(String.format(Locale.ROOT, ": the %d highest of %d tokens</p>%n", examples.size(),
                        top.tokens()))
                .append("<table id=\"examples\">\n<thead><tr><th>#</th><th>activation</th><th>sequence:position</th>")
                .append("<th>context</th></tr></thead>\n<tbody>\n");
        for (int rank = 0; rank < examples.size(); rank++) {
            TopActivatingExamples.Example example = examples.get(rank);
            page.append("<tr class=\"example\"><td class=\"rank\">").append(rank + 1)
                    .append("</td><td class=\"activation\">").append(number(example.activation()))
                    .append("</td><td class=\"where\">").append(example.sequence()).append(':')
                    .append(example.position()).append("</td><td class=\"tokens\">");
            long[] context = example.context();
            float[] values = example.contextActivations();
            for (int index = 0; index < context.length; index++) {
                long id = context[index];
                String shown = TokenText.display(tokenText.apply(id));
                double opacity = strongest > 0 ? Math.max(0, Math.min(1, values[index] / strongest)) : 0;
                page.append("<span class=\"token").append(index == example.focus() ? " focus" : "")
                        .append(String.format(Locale.ROOT, "\" style=\"background-color: rgba(255, 127, 14, %.3f)\"",
                                opacity))
                        .append(" title=\"").append(HtmlView.escapeHtml("'" + shown + "': " + number(values[index])))
                        .append("\">").append(HtmlView.escapeHtml(shown)).append("</span>");
            }
            page.append("</td></tr>\n");
        }
        page.append("</tbody>\n</table>\n</body>\n</html>\n");
        return new ExamplesPage(title, page.toString());
    }

    private static String number(float value) {
        return String.format(Locale.ROOT, "%.3f", value);
    }

    public String title() {
        return title;
    }

    /** The whole page. */
    public String html() {
        return html;
    }

    /**
     * Writes the page as UTF-8, creating the directory when missing; a reader sees the old file or the whole new one.
     *
     * @return {@code file}
     * @throws ArrakisException when the file cannot be written
     */
    public Path write(Path file) {
        try {
            Path directory = file.toAbsolutePath().getParent();
            if (directory != null) {
                Files.createDirectories(directory);
            }
            DurableFiles.replace(file, ByteBuffer.wrap(html.getBytes(StandardCharsets.UTF_8)));
            return file;
        } catch (IOException e) {
            throw new ArrakisException("cannot write the page '" + title + "' to " + file + ": " + e, e);
        }
    }

    @Override
    public String toString() {
        return "ExamplesPage[" + title + ", " + html.length() + " chars]";
    }
}
