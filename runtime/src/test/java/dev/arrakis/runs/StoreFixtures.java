package dev.arrakis.runs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.spec.ModelConfig;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Run records made by hand, without a model, so store tests (and the writer processes they start) run fast; public
 * for the command-line tests of the store.
 */
public final class StoreFixtures {
    static final ModelConfig SHAPE = dev.arrakis.spec.ConfigShapes.parse(dev.arrakis.io.CheckpointFiles.readConfig(
            Path.of("src/test/resources/reference/gpt2-prefixed")));

    /** Each record starts a second after the one made before it, so "latest" is the last one made. */
    private static final Instant FIRST_START = Instant.parse("2026-11-26T10:00:00Z");
    private static final java.util.concurrent.atomic.AtomicLong RECORDED = new java.util.concurrent.atomic.AtomicLong();

    private StoreFixtures() {}

    public static String source(String body) {
        return "@Experiment(model = \"gpt2\")\nclass Heads {\n    double effect() {\n        return " + body
                + ";\n    }\n}\n";
    }

    /** A head sweep over one layer's {@code heads} with these results, from the source of {@code body}. */
    public static RunRecord headSweep(String experiment, String body, int layer, double... results) {
        ArrayNode values = JsonNodeFactory.instance.arrayNode();
        for (double result : results) {
            values.add(result);
        }
        List<Integer> heads = java.util.stream.IntStream.range(0, results.length).boxed().toList();
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.putObject("overrides").put("layer", String.valueOf(layer));
        ObjectNode intervention = arguments.putArray("interventions").addObject();
        intervention.put("kind", "ablate");
        intervention.putObject("layer").put("swept", false).putArray("values").add(layer);
        return record(experiment, body, arguments, List.of(new SweepAxis("head", heads)), values, RunStatus.COMPLETE,
                results.length);
    }

    public static RunRecord record(String experiment, String body, JsonNode arguments, List<SweepAxis> axes,
            JsonNode results, RunStatus status, int completed) {
        return record(experiment, "effect", body, arguments, axes, results, status, completed, null);
    }

    static RunRecord record(String experiment, String body, JsonNode arguments, List<SweepAxis> axes,
            JsonNode results, RunStatus status, int completed, dev.arrakis.plot.PlotRequest plot) {
        return record(experiment, "effect", body, arguments, axes, results, status, completed, plot);
    }

    /** A run of the method {@code run} of {@code experiment}. */
    public static RunRecord record(String experiment, String run, String body, JsonNode arguments,
            List<SweepAxis> axes, JsonNode results, RunStatus status, int completed,
            dev.arrakis.plot.PlotRequest plot) {
        String source = source(body);
        Instant started = FIRST_START.plusSeconds(RECORDED.getAndIncrement());
        return new RunRecord(experiment, run, fingerprint(source), source,
                new RunRecord.ModelIdentity("gpt2", null, null, SHAPE, Path.of("/models/tiny"), List.of(),
                        dev.arrakis.model.WeightProcessing.none()),
                arguments, axes, results, plot, "double", status, completed, 0,
                new RunEnvironment("17", "0.36.0", "PyTorch 2.7.1", "Linux", 2, null),
                new RunRecord.PhaseTimings(1, 0, 0, 2, 0, 1),
                new dev.arrakis.profile.MemoryPeak(100L << 20, 150L << 20, true, 8L << 20, 20L << 20, true), null,
                started, started.plusSeconds(1));
    }

    /** Stands in for the processor's fingerprint: any function of the source that differs when it does. */
    static String fingerprint(String source) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(source.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
