package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A run's {@code index.html}: what ran, its pictures and its numbers on one self-contained page (no scripts, no
 * network), opened straight from the store's directory. Deterministic: the same record gives the same bytes.
 */
final class RunPage {
    private static final int MAX_TABLE_ROWS = 2_000;

    private RunPage() {}

    static byte[] html(StoredRun run) {
        JsonNode document = run.documentWithArrays();
        StringBuilder page = new StringBuilder();
        page.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>")
                .append(escape(run.qualifiedName() + " " + run.id())).append("</title>\n<style>\n")
                .append("body{font-family:system-ui,sans-serif;margin:2em;color:#222}")
                .append("table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:2px 8px;")
                .append("text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}")
                .append("td.key{text-align:left;font-weight:600}td.text{text-align:left}")
                .append("img{max-width:100%;border:1px solid #eee;margin:0.5em 0}")
                .append("pre{background:#f8f8f8;padding:1em;overflow:auto;font-size:90%}\n</style>\n</head>\n<body>\n");
        page.append("<h1>").append(escape(run.qualifiedName())).append(" <small>v").append(run.version())
                .append("</small></h1>\n");
        page.append("<table class=\"facts\">\n");
        fact(page, "run", run.id());
        fact(page, "status", run.status().name().toLowerCase(Locale.ROOT) + " (" + run.completedPoints() + " of "
                + run.points() + " points)");
        fact(page, "version", "v" + run.version() + " (fingerprint " + run.fingerprint() + ")");
        fact(page, "started", run.startedAt().toString());
        fact(page, "finished", run.finishedAt() == null ? "" : run.finishedAt().toString());
        fact(page, "model", document.path("model").path("displayName").asText() + " from "
                + document.path("model").path("checkpoint").asText());
        fact(page, "seed", document.path("seed").asText());
        JsonNode git = document.path("environment").path("git");
        fact(page, "git", git.isObject() ? git.path("commit").asText() + (git.path("dirty").asBoolean()
                ? " (with uncommitted changes)" : "") : "not in a git working tree");
        fact(page, "overrides", document.path("arguments").path("overrides").toString());
        page.append("</table>\n");

        List<Path> pictures = run.pictures();
        if (!pictures.isEmpty()) {
            page.append("<h2>Pictures</h2>\n");
            for (Path picture : pictures) {
                String relative = run.directory().relativize(picture).toString().replace('\\', '/');
                if (relative.endsWith(".png")) {
                    page.append("<p><img src=\"").append(escape(relative)).append("\" alt=\"")
                            .append(escape(run.qualifiedName())).append("\"></p>\n");
                } else {
                    page.append("<p><a href=\"").append(escape(relative)).append("\">").append(escape(relative))
                            .append("</a>").append(relative.endsWith(".html")
                                    ? " (interactive: hover a position to see where it attends)" : "")
                            .append("</p>\n");
                }
            }
        }
        if (document.has("picturesFailed")) {
            page.append("<p>No pictures: ").append(escape(document.path("picturesFailed").asText())).append("</p>\n");
        }

        page.append("<h2>Results</h2>\n");
        results(page, run, document.path("results"));
        page.append("<h2>Source</h2>\n<pre>").append(escape(run.source())).append("</pre>\n");
        page.append("<p><a href=\"run.json\">run.json</a>, the whole record</p>\n</body>\n</html>\n");
        return page.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void results(StringBuilder page, StoredRun run, JsonNode results) {
        List<Map<String, String>> coordinates = run.labelledCoordinates();
        List<String> axes = run.axes().stream().map(axis -> axis.name()).toList();
        page.append("<table class=\"results\">\n<tr>");
        axes.forEach(axis -> page.append("<th>").append(escape(axis)).append("</th>"));
        page.append("<th>value</th></tr>\n");
        int rows = Math.min(results.size(), MAX_TABLE_ROWS);
        for (int point = 0; point < rows; point++) {
            page.append("<tr>");
            coordinates.get(point).values().forEach(value -> page.append("<td>").append(value).append("</td>"));
            JsonNode value = results.get(point);
            page.append(value.isNumber() ? "<td>" : "<td class=\"text\">").append(escape(describe(value)))
                    .append("</td></tr>\n");
        }
        page.append("</table>\n");
        if (results.size() > rows) {
            page.append("<p>").append(results.size() - rows).append(" more points in run.json</p>\n");
        }
    }

    private static String describe(JsonNode value) {
        if (value.isNull()) {
            return "not run";
        }
        if (value.isNumber()) {
            return String.format(Locale.ROOT, "%.6g", value.doubleValue());
        }
        if (value.isObject() && value.has("shape")) {
            return value.path("type").asText("array") + " " + value.path("shape");
        }
        return value.isTextual() ? value.asText() : value.toString();
    }

    private static void fact(StringBuilder page, String key, String value) {
        page.append("<tr><td class=\"key\">").append(escape(key)).append("</td><td class=\"text\">")
                .append(escape(value)).append("</td></tr>\n");
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length());
        for (char c : text.toCharArray()) {
            switch (c) {
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '&' -> escaped.append("&amp;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&#39;");
                default -> escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
