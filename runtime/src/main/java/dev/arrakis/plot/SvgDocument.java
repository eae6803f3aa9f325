package dev.arrakis.plot;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finishes the SVG that XChart writes through VectorGraphics2D. XChart draws every piece of text as glyph outlines,
 * so the picture's words are not in the file as text; this adds the title and a description naming the axes as the
 * standard {@code <title>} and {@code <desc>} elements (searchable, read by screen readers). It also drops the
 * DOCTYPE, whose external DTD a parser would otherwise try to fetch, and renumbers clip-path ids in document order
 * so that the same plot always gives the same bytes.
 */
final class SvgDocument {
    private static final Pattern DOCTYPE = Pattern.compile("<!DOCTYPE[^>]*>\\s*");
    private static final Pattern CLIP_ID = Pattern.compile("(id=\"|url\\(#)(clip-?\\d+(?:x\\d+x\\d+)?)");

    private SvgDocument() {}

    static byte[] finish(byte[] svg, String title, String description) {
        String text = DOCTYPE.matcher(new String(svg, StandardCharsets.UTF_8)).replaceFirst("");
        text = renumberClips(text);
        int root = text.indexOf("<svg");
        int rootEnd = root < 0 ? -1 : text.indexOf('>', root);
        if (rootEnd < 0) {
            throw new IllegalStateException("the SVG writer produced no <svg> root element");
        }
        String metadata = "\n  <title>" + escape(title) + "</title>\n  <desc>" + escape(description) + "</desc>";
        text = text.substring(0, rootEnd + 1) + metadata + text.substring(rootEnd + 1);
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A picture XChart wrote, and where it goes in a grid. */
    record Placed(byte[] svg, int x, int y, int width, int height) {}

    /**
     * One SVG of several of XChart's, each nested at its place as an {@code <svg>} element, under a heading drawn as
     * text. Clip-path ids are numbered across the whole document so that the pictures' clips stay apart.
     */
    static byte[] grid(List<Placed> parts, int width, int height, String heading, int headingBaseline,
            String description) {
        StringBuilder body = new StringBuilder();
        for (Placed part : parts) {
            String text = DOCTYPE.matcher(new String(part.svg(), StandardCharsets.UTF_8)).replaceFirst("");
            int root = text.indexOf("<svg");
            int rootEnd = root < 0 ? -1 : text.indexOf('>', root);
            int close = text.lastIndexOf("</svg>");
            if (rootEnd < 0 || close < rootEnd) {
                throw new IllegalStateException("the SVG writer produced no <svg> root element");
            }
            // Each picture numbers its clips from 1: tag them with the picture's place before numbering them all.
            String inner = CLIP_ID.matcher(text.substring(rootEnd + 1, close))
                    .replaceAll(match -> Matcher.quoteReplacement(match.group(1) + match.group(2) + "x" + part.x()
                            + "x" + part.y()));
            body.append("\n  <svg x=\"").append(part.x()).append("\" y=\"").append(part.y()).append("\" width=\"")
                    .append(part.width()).append("\" height=\"").append(part.height()).append("\" viewBox=\"0 0 ")
                    .append(part.width()).append(' ').append(part.height()).append("\">").append(inner)
                    .append("</svg>");
        }
        String document = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                + "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\""
                + " width=\"" + width + "px\" height=\"" + height + "px\" viewBox=\"0 0 " + width + " " + height + "\">"
                + "\n  <title>" + escape(heading) + "</title>\n  <desc>" + escape(description) + "</desc>"
                + "\n  <rect x=\"0\" y=\"0\" width=\"" + width + "\" height=\"" + height
                + "\" style=\"fill:rgb(255,255,255)\"/>"
                + "\n  <text x=\"" + width / 2 + "\" y=\"" + headingBaseline + "\" text-anchor=\"middle\""
                + " style=\"font-family:sans-serif;font-size:16px;font-weight:bold\">" + escape(heading) + "</text>"
                + body + "\n</svg>\n";
        return renumberClips(document).getBytes(StandardCharsets.UTF_8);
    }

    private static String renumberClips(String text) {
        Map<String, String> ids = new HashMap<>();
        Matcher matcher = CLIP_ID.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (matcher.find()) {
            String id = ids.computeIfAbsent(matcher.group(2), old -> "clip" + (ids.size() + 1));
            matcher.appendReplacement(out, Matcher.quoteReplacement(matcher.group(1) + id));
        }
        matcher.appendTail(out);
        return out.toString();
    }

    /** XML character data: markup characters escaped, characters XML 1.0 forbids dropped. */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> {
                    boolean allowed = c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF)
                            || (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
                    if (allowed) {
                        out.appendCodePoint(c);
                    }
                }
            }
        });
        return out.toString();
    }
}
