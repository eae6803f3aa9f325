package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.io.Json;
import java.io.IOException;
import java.io.Writer;
import java.util.List;
import java.util.Map;

/**
 * Runs as JSON lines, for pandas ({@code pd.read_json(path, lines=True)}) and notebooks.
 *
 * <ul>
 *   <li>{@link Format#POINTS}: one line per sweep point, a tidy table: {@code run_id, experiment, run, version,
 *       fingerprint, status, started_at, point}, one column per swept axis, and {@code value} (a number, or the
 *       array object as stored).
 *   <li>{@link Format#RECORDS}: one line per run, the whole record with large arrays read back inline.
 * </ul>
 */
public final class RunExport {
    public enum Format { POINTS, RECORDS }

    private RunExport() {}

    /** Writes the runs in order; the writer is flushed, not closed. */
    public static void write(List<StoredRun> runs, Format format, Writer out) throws IOException {
        for (StoredRun run : runs) {
            JsonNode document = run.documentWithArrays();
            if (format == Format.RECORDS) {
                out.write(Json.MAPPER.writeValueAsString(document));
                out.write('\n');
                continue;
            }
            List<Map<String, Integer>> coordinates = run.coordinates();
            JsonNode results = document.path("results");
            for (int point = 0; point < results.size(); point++) {
                ObjectNode line = Json.MAPPER.createObjectNode();
                line.put("run_id", run.id());
                line.put("experiment", run.experiment());
                line.put("run", run.run());
                line.put("version", run.version());
                line.put("fingerprint", run.fingerprint());
                line.put("status", run.status().name());
                line.put("started_at", run.startedAt().toString());
                line.put("point", point);
                coordinates.get(point).forEach(line::put);
                line.set("value", results.get(point));
                out.write(Json.MAPPER.writeValueAsString(line));
                out.write('\n');
            }
        }
        out.flush();
    }
}
