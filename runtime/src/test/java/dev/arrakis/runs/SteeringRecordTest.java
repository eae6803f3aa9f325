package dev.arrakis.runs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.spec.Intervention;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Steering in run records: a record written before coefficient sweeps ({@code "coefficient"} one number, axes without
 * labels) still reads, and a coefficient sweep's record names each point by the coefficient's value.
 */
class SteeringRecordTest {

    /** A record with the fields every run has, and the steering-specific ones given. */
    private static StoredRun stored(Path directory, String json) throws Exception {
        ObjectNode document = (ObjectNode) new ObjectMapper().readTree(json);
        document.put("id", "20260101-000000-abcdef").put("experiment", "Steered").put("run", "r").put("version", 1)
                .put("fingerprint", "0123456789ab").put("status", "COMPLETE")
                .put("startedAt", "2026-01-01T00:00:00Z");
        return StoredRun.of(directory, document);
    }

    @Test
    void aRecordFromBeforeCoefficientSweepsReadsItsOneCoefficient(@TempDir Path directory) throws Exception {
        StoredRun run = stored(directory, """
                {"arguments": {"interventions": [{"label": "steer", "kind": "steer", "hook": "hook_resid_pre",
                  "layer": {"values": [0, 1], "swept": true}, "coefficient": 0.5, "vector": "direction"}]},
                 "axes": [{"name": "layer", "values": [0, 1]}], "results": [0.25, 0.75]}
                """);
        Intervention.Steering steering = (Intervention.Steering) run.interventions().get(0);
        assertEquals(0.5, steering.coefficient(), 0.0, "coefficient of " + steering);
        assertEquals(List.of(), steering.sweptCoefficients(), "swept coefficients of " + steering);
        assertEquals(List.of(new SweepAxis("layer", List.of(0, 1))), run.axes(), "axes");
        assertEquals(List.of(Map.of("layer", "0"), Map.of("layer", "1")), run.labelledCoordinates(),
                "points named by their layer");
    }

    @Test
    void aCoefficientSweepNamesEachPointByItsValue(@TempDir Path directory) throws Exception {
        StoredRun run = stored(directory, """
                {"arguments": {"interventions": [{"label": "steer", "kind": "steer", "hook": "hook_resid_pre",
                  "layer": {"values": [1], "swept": false}, "coefficient": -1.0, "coefficients": [-1.0, 2.5],
                  "vector": "direction"}]},
                 "axes": [{"name": "coefficient", "values": [0, 1], "labels": ["-1", "2.5"]}],
                 "results": [0.25, 0.75]}
                """);
        Intervention.Steering steering = (Intervention.Steering) run.interventions().get(0);
        assertEquals(List.of(-1.0, 2.5), steering.sweptCoefficients(), "swept coefficients of " + steering);
        assertEquals(List.of(Map.of("layer", 1, "coefficient", 0), Map.of("layer", 1, "coefficient", 1)),
                run.coordinates(), "coordinates index the coefficients");
        assertEquals(List.of(Map.of("layer", "1", "coefficient", "-1"), Map.of("layer", "1", "coefficient", "2.5")),
                run.labelledCoordinates(), "points named by their coefficient");
    }
}
