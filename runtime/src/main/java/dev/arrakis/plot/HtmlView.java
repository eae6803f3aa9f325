package dev.arrakis.plot;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.databind.ObjectWriter;
import dev.arrakis.io.Json;
import dev.arrakis.plot.PlotRenderException.Problem;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An interactive page of tokens, in the spirit of CircuitsVis: one self-contained HTML file that opens in any
 * browser, offline, with nothing to install.
 *
 * <ul>
 *   <li>{@link #attention}: the tokens in order; a button per head ({@code L1H3}) picks the head; hovering a token
 *       makes it the query and colours every token by how much the query attends to it, the colour's opacity being
 *       the attention weight (0 is no colour). A readout names the query's strongest keys with their weights, each
 *       token's tooltip gives {@code 'query' → 'key': weight}, and clicking a token pins it as the query so that
 *       hovering others shows their weight.
 *   <li>{@link #tokenValues}: the tokens coloured by a signed value each (a logit attribution, a neuron's
 *       activation), blue below zero, white at zero, red above, on a scale symmetric about zero; a button per named
 *       series switches between them.
 * </ul>
 *
 * <p>The page holds its own CSS and JavaScript and the data as a JSON block written by Jackson; it references no
 * URL, and its content security policy forbids fetching anything, so it looks the same offline and years later.
 * Tokens are shown as text, never interpreted as markup, with invisible characters made visible as in the pictures
 * and the terminal ({@link TokenText}: {@code " Mary"} shows as {@code ·Mary}, a 0x11 byte as {@code \x11}). The same
 * arguments always give the same bytes: no timestamps, no random ids. Weights and values are stored at float
 * precision; the page's size grows with heads × tokens², so pick the heads worth looking at for long sequences.
 *
 * <pre>{@code
 * HtmlView.attention("layer 1", tokens, List.of("L1H0", "L1H1"), patterns).write(Path.of("plots/layer1.html"));
 * }</pre>
 */
public final class HtmlView {

    private static final String TEMPLATE = resource("html-view.html");
    private static final String STYLE = resource("html-view.css");
    private static final String SCRIPT = resource("html-view.js");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{(\\w+)}}");
    /** Jackson writing {@code <}, {@code >} and {@code &} as unicode escapes: see {@link ScriptSafeEscapes}. */
    private static final ObjectWriter SCRIPT_SAFE_JSON = Json.MAPPER.writer().with(new ScriptSafeEscapes());
    /** Attention weights this far outside {@code [0, 1]} are rounding, not a mistake. */
    private static final double PROBABILITY_TOLERANCE = 1e-6;

    private final String title;
    private final String html;

    private HtmlView(String title, String html) {
        this.title = title;
        this.html = html;
    }

    /**
     * Attention patterns of one or more heads over one sequence.
     *
     * @param title the page's heading
     * @param tokens the sequence's tokens as text, in order (decode each id on its own to keep leading spaces)
     * @param headLabels one label per head, shown on its button ({@code L1H3})
     * @param patternByHead {@code [head][query][key]}: {@code [heads][tokens][tokens]}, every weight in
     *     {@code [0, 1]}; the weights of one query need not sum to 1 (an ablated or partial pattern is drawn as is)
     * @throws IllegalArgumentException when a list is empty or the shapes do not match, naming the argument and
     *     the shape expected
     */
    public static HtmlView attention(String title, List<String> tokens, List<String> headLabels,
            double[][][] patternByHead) {
        Objects.requireNonNull(title, "title");
        checkTokens(tokens);
        Objects.requireNonNull(headLabels, "headLabels");
        Objects.requireNonNull(patternByHead, "patternByHead");
        int count = tokens.size();
        String shape = "patternByHead must be [heads][tokens][tokens]";
        if (patternByHead.length == 0) {
            throw new IllegalArgumentException("patternByHead is empty: " + shape + " with at least one head");
        }
        if (headLabels.size() != patternByHead.length) {
            throw new IllegalArgumentException("headLabels has " + headLabels.size() + " labels for "
                    + patternByHead.length + " heads in patternByHead; give one label per head");
        }
        List<Head> heads = new ArrayList<>(patternByHead.length);
        for (int head = 0; head < patternByHead.length; head++) {
            String label = Objects.requireNonNull(headLabels.get(head), "headLabels[" + head + "]");
            double[][] pattern = Objects.requireNonNull(patternByHead[head], "patternByHead[" + head + "]");
            if (pattern.length != count) {
                throw new IllegalArgumentException("patternByHead[" + head + "] has " + pattern.length
                        + " query rows for " + count + " tokens; " + shape);
            }
            float[][] weights = new float[count][];
            for (int query = 0; query < count; query++) {
                String where = "patternByHead[" + head + "][" + query + "]";
                double[] row = Objects.requireNonNull(pattern[query], where);
                if (row.length != count) {
                    throw new IllegalArgumentException(where + " has " + row.length + " key weights for " + count
                            + " tokens; " + shape);
                }
                weights[query] = new float[count];
                for (int key = 0; key < count; key++) {
                    double weight = row[key];
                    if (!(weight >= -PROBABILITY_TOLERANCE && weight <= 1 + PROBABILITY_TOLERANCE)) {
                        throw new IllegalArgumentException(where + "[" + key + "] is " + weight
                                + ": attention weights lie in [0, 1]");
                    }
                    weights[query][key] = (float) Math.min(1, Math.max(0, weight));
                }
            }
            heads.add(new Head(label, weights));
        }
        return page(title, new PageData(shown(tokens), new Attention(heads), null));
    }

    /**
     * Tokens coloured by one or more named series of signed values, one value per token.
     *
     * @param series name to values, shown in the map's iteration order (use a {@link java.util.LinkedHashMap}
     *     for several)
     * @throws IllegalArgumentException when a list or map is empty, a series' length differs from the token count,
     *     or a value is NaN or infinite
     */
    public static HtmlView tokenValues(String title, List<String> tokens, Map<String, double[]> series) {
        Objects.requireNonNull(title, "title");
        checkTokens(tokens);
        Objects.requireNonNull(series, "series");
        if (series.isEmpty()) {
            throw new IllegalArgumentException("series is empty: give at least one named series of values");
        }
        List<Series> entries = new ArrayList<>(series.size());
        for (Map.Entry<String, double[]> entry : series.entrySet()) {
            String name = Objects.requireNonNull(entry.getKey(), "a series name");
            double[] values = Objects.requireNonNull(entry.getValue(), "series '" + name + "'");
            if (values.length != tokens.size()) {
                throw new IllegalArgumentException("series '" + name + "' has " + values.length + " values for "
                        + tokens.size() + " tokens; give one value per token");
            }
            float[] stored = new float[values.length];
            for (int index = 0; index < values.length; index++) {
                if (!Double.isFinite(values[index])) {
                    throw new IllegalArgumentException("series '" + name + "'[" + index + "] is " + values[index]
                            + ": values must be finite");
                }
                stored[index] = (float) values[index];
            }
            entries.add(new Series(name, stored));
        }
        return page(title, new PageData(shown(tokens), null, entries));
    }

    /** The page's heading, as given. */
    public String title() {
        return title;
    }

    /** The whole page. */
    public String html() {
        return html;
    }

    /**
     * Writes the page as UTF-8 to {@code file}, creating its directory when missing. The page is written to a
     * temporary file beside it and moved into place, so a reader never sees half a page.
     *
     * @return {@code file}
     * @throws PlotRenderException when the directory cannot be written or {@code file} is a directory
     */
    public Path write(Path file) {
        Objects.requireNonNull(file, "file");
        if (Files.isDirectory(file)) {
            throw new PlotRenderException(title, Problem.WRITE_FAILED, file + " is a directory, not a file name");
        }
        Path directory = file.toAbsolutePath().getParent();
        StagedFile.prepareDirectory(title, directory);
        StagedFile staged = StagedFile.stage(title, file, html.getBytes(StandardCharsets.UTF_8));
        try {
            staged.commit();
        } finally {
            staged.discard();
        }
        return file;
    }

    @Override
    public String toString() {
        return "HtmlView[" + title + ", " + html.length() + " chars]";
    }

    // ----- the page -----

    /** What the page's script reads; a section is left out of the JSON when absent. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    private record PageData(List<String> tokens, Attention attention, List<Series> values) {}

    private record Attention(List<Head> heads) {}

    private record Head(String label, float[][] pattern) {}

    private record Series(String name, float[] values) {}

    private static HtmlView page(String title, PageData data) {
        String json;
        try {
            json = SCRIPT_SAFE_JSON.writeValueAsString(data);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("strings and numbers are always JSON", impossible);
        }
        Map<String, String> parts = Map.of("title", escapeHtml(title), "style", STYLE, "script", SCRIPT, "data",
                json);
        // One pass over the template only, so that text inserted for one placeholder is never read as another.
        Matcher placeholder = PLACEHOLDER.matcher(TEMPLATE);
        StringBuilder page = new StringBuilder(TEMPLATE.length() + json.length() + STYLE.length() + SCRIPT.length());
        while (placeholder.find()) {
            String part = parts.get(placeholder.group(1));
            if (part == null) {
                throw new IllegalStateException("the page template names an unknown part " + placeholder.group());
            }
            placeholder.appendReplacement(page, Matcher.quoteReplacement(part));
        }
        placeholder.appendTail(page);
        return new HtmlView(title, page.toString());
    }

    /** The tokens as the page shows them, invisible characters made visible ({@link TokenText}). */
    private static List<String> shown(List<String> tokens) {
        return tokens.stream().map(TokenText::display).toList();
    }

    private static void checkTokens(List<String> tokens) {
        Objects.requireNonNull(tokens, "tokens");
        if (tokens.isEmpty()) {
            throw new IllegalArgumentException("tokens is empty: the view needs at least one token");
        }
        for (int index = 0; index < tokens.size(); index++) {
            Objects.requireNonNull(tokens.get(index), "tokens[" + index + "]");
        }
    }

    /** Text for HTML element content: the five characters that could start or end markup, escaped. */
    public static String escapeHtml(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private static String resource(String name) {
        try (InputStream in = HtmlView.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("the resource dev/arrakis/plot/" + name + " is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException failure) {
            throw new UncheckedIOException("cannot read the resource dev/arrakis/plot/" + name, failure);
        }
    }

    /**
     * JSON inside {@code <script>} ends at the first {@code </script}, whatever the JSON means, and {@code <!--} can
     * change how the rest is read; a token is free to contain either. Writing every {@code <}, {@code >} and
     * {@code &} as a JSON unicode escape (backslash, {@code u003C}) keeps the block inert for the HTML parser and
     * the same string for {@code JSON.parse}.
     */
    private static final class ScriptSafeEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] escapes;

        ScriptSafeEscapes() {
            escapes = CharacterEscapes.standardAsciiEscapesForJSON();
            escapes['<'] = CharacterEscapes.ESCAPE_STANDARD;
            escapes['>'] = CharacterEscapes.ESCAPE_STANDARD;
            escapes['&'] = CharacterEscapes.ESCAPE_STANDARD;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return escapes.clone();
        }

        @Override
        public SerializableString getEscapeSequence(int character) {
            return null;
        }
    }
}
