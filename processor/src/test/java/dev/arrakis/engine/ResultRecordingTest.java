package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigDecimal;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The processor's result-type rule ({@code [Experiment/ResultType]}) against what the runtime really records: each
 * kind of result it accepts, passed through the runner's own conversion ({@code ResultValues}), reads back as the
 * values that were returned; the kinds it refuses for their encoding do not. Lives in the runtime's package to reach
 * {@code ResultValues}, which the runtime keeps to itself.
 */
class ResultRecordingTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    record Stats(double mean, int[] counts, List<String> words, Boolean flipped) {}

    private static String recorded(Object result) {
        return ResultValues.toJson(ResultValues.toJava(result)).toString();
    }

    private static void assertRecordedAs(String json, Object result) throws Exception {
        JsonNode expected = JSON.readTree(json);
        assertEquals(expected.toString(), recorded(result), "recorded " + result.getClass().getSimpleName());
    }

    @Test
    void acceptedResultsReadBackAsTheValuesReturned() throws Exception {
        assertRecordedAs("3", 3);
        assertRecordedAs("-7", (short) -7);
        assertRecordedAs("2.5", 2.5f);
        assertRecordedAs("0.1", new BigDecimal("0.1"));
        assertRecordedAs("true", true);
        assertRecordedAs("\"two words\"", "two words");
        assertRecordedAs("{\"type\":\"int[]\",\"shape\":[2],\"values\":[1.0,2.0]}", new int[] {1, 2});
        assertRecordedAs("{\"type\":\"float[][]\",\"shape\":[1,2],\"values\":[0.5,1.5]}", new float[][] {{0.5f, 1.5f}});
        assertRecordedAs("[1,2]", new short[] {1, 2});
        assertRecordedAs("[[1,2],[3]]", new long[][] {{1, 2}, {3}});
        assertRecordedAs("{\"type\":\"List\",\"shape\":[2],\"values\":[1.5,2.5]}", List.of(1.5, 2.5));
        assertRecordedAs("[\"a\"]", Set.of("a"));
        assertRecordedAs("{\"mean\":1.5,\"counts\":[1,2],\"words\":[\"a\",\"b\"],\"flipped\":false}",
                new Stats(1.5, new int[] {1, 2}, List.of("a", "b"), false));
        assertRecordedAs("[{\"mean\":0.0,\"counts\":[],\"words\":[],\"flipped\":null}]",
                List.of(new Stats(0, new int[0], List.of(), null)));
    }

    @Test
    void refusedEncodingsDoNotReadBackAsWhatWasReturned() {
        assertEquals("\"AQI=\"", recorded(new byte[] {1, 2}), "a byte[] is recorded as base64 text");
        assertEquals("\"a\"", recorded('a'), "a char is recorded as a String");
    }
}
