package dev.arrakis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./arrakis run --no-reuse} runs every point as a full pass: the same results, and the work the record counts
 * (blocks x rows x positions) is that of full passes. On the tiny GPT-2 (2 layers), one row of 4 tokens, a full pass
 * is 2 x 1 x 4 = 8; sweeping the 4 heads of layer 1 costs 4 x 8 = 32 as full passes, and with reuse the base pass (8)
 * plus 4 points of block 1 only (4 x 1 x 1 x 4 = 16).
 */
class NoReuseOptionTest {
    @TempDir
    Path temp;

    @Test
    void noReuseRecordsTheWorkOfFullPassesAndTheSameResults() throws IOException {
        JsonNode reused = record("reused.json");
        JsonNode full = record("full.json", "--no-reuse");
        assertEquals(8 + 16, reused.path("timings").path("layerTokens").asLong(), reused.path("timings").toString());
        assertEquals(4 * 8, full.path("timings").path("layerTokens").asLong(), full.path("timings").toString());
        for (int point = 0; point < 4; point++) {
            assertEquals(full.path("results").get(point).asDouble(), reused.path("results").get(point).asDouble(),
                    1e-5, "head " + point + ": " + full.path("results") + " vs " + reused.path("results"));
        }
    }

    private JsonNode record(String file, String... more) throws IOException {
        Path record = temp.resolve(file);
        String[] args = {"run", "RegisteredTest.headSweep", "layer=1", "--no-record", "--record", record.toString()};
        String[] all = Stream.concat(Arrays.stream(args), Arrays.stream(more)).toArray(String[]::new);
        CliTest.Outcome outcome = CliTest.run(all);
        assertEquals(0, outcome.code(), outcome.err());
        return Json.MAPPER.readTree(record.toFile());
    }
}
