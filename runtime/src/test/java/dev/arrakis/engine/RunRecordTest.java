package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.annotations.AblationMethod;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.experiment.ModelInput;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunRecord;
import dev.arrakis.runs.SweepAxis;
import dev.arrakis.spec.Intervention.Ablation;
import dev.arrakis.spec.Selection;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the runner hands the run store: arguments, results and timings of exactly the logged runs. */
class RunRecordTest extends TinyModelTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(new long[] {5, 17, 3, 99}, new long[] {1, 2, 3, 4});

    /** A model input that carries more than tokens. */
    record Prompts(String task, TokenBatch tokens) implements ModelInput {}

    /** Something Jackson cannot write: it refers to itself. */
    static final class Loop {
        final Loop self = this;

        public Loop getSelf() {
            return self;
        }

        @Override
        public String toString() {
            return "a loop";
        }
    }

    private static TestDefinition experiment() {
        RunDefinition<Object> logged = RunDefinition.builder("perHead").input("prompts")
                .intervention(new Ablation("", Selection.of(1), Selection.everyIndex(), Selection.none(),
                        Selection.none(), AblationMethod.ZERO))
                .plot(PlotKind.AUTO, "per head")
                .logged()
                .resultType("double")
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        RunDefinition<Object> notLogged = RunDefinition.builder("quiet").input("prompts")
                .invoker((experiment, context) -> Metrics.lastLogitDiff(context.logits()));
        return TestDefinition.named("Recorded")
                .input("prompts", new Prompts("ioi", PROMPTS))
                .input("loop", new Loop())
                .input("threshold", 0.5)
                .run(logged)
                .run(notLogged);
    }

    @Test
    void theSinkGetsExactlyTheLoggedRuns() {
        List<RunRecord> records = new ArrayList<>();
        List<RunOutcome> outcomes;
        try (ExperimentRunner runner = ExperimentRunner.open(experiment(),
                RunnerOptions.defaults().withModel(model).withSink(records::add))) {
            outcomes = runner.runAll();
            runner.run("quiet");
        }
        assertEquals(1, records.size());
        assertSame(outcomes.get(0).record(), records.get(0));
        assertEquals("perHead", records.get(0).run());
    }

    @Test
    void theRecordHoldsArgumentsResultsAndTimings() {
        Instant before = Instant.now();
        RunOutcome outcome;
        try (ExperimentRunner runner = ExperimentRunner.open(experiment(),
                RunnerOptions.defaults().withModel(model))) {
            outcome = runner.run("perHead", Map.of("head", "range(1,4)"));
        }
        RunRecord record = outcome.record();
        assertEquals("Recorded", record.experiment());
        assertEquals("f".repeat(64), record.fingerprint());
        assertEquals("class Recorded {}", record.source());
        assertEquals("double", record.resultType());
        assertFalse(record.startedAt().isBefore(before.minusMillis(1)),
                "started at " + record.startedAt() + ", before the test's " + before);
        assertEquals(TestDefinition.CHECKPOINT, record.model().checkpoint());
        assertEquals(TestDefinition.TINY, record.model().config());

        JsonNode inputs = record.arguments().get("inputs");
        assertEquals("[[5,17,3,99],[1,2,3,4]]", inputs.get("prompts").get("tokens").get("tokens").toString());
        assertEquals("ioi", inputs.get("prompts").get("task").asText());
        assertEquals(RunRecordTest.Loop.class.getName(), inputs.get("loop").get("type").asText());
        assertEquals("a loop", inputs.get("loop").get("toString").asText());
        assertEquals(0.5, inputs.get("threshold").asDouble());
        assertEquals("range(1,4)", record.arguments().get("overrides").get("head").asText());
        JsonNode ablation = record.arguments().get("interventions").get(0);
        assertEquals("ablate1", ablation.get("label").asText());
        assertEquals("attn.hook_z", ablation.get("hook").asText());
        assertEquals("[1,2,3]", ablation.get("head").get("values").toString());
        assertTrue(ablation.get("head").get("swept").asBoolean(), ablation.toString());
        assertEquals("ZERO", ablation.get("method").asText());

        assertEquals(List.of(new SweepAxis("head", List.of(1, 2, 3))), record.axes());
        double[] numbers = outcome.vector();
        assertEquals(3, record.results().size());
        for (int i = 0; i < numbers.length; i++) {
            assertEquals(numbers[i], record.results().get(i).asDouble(), 0);
        }
        RunRecord.PhaseTimings timings = record.timings();
        assertEquals(0, timings.loadMs(), "the model was given, not loaded");
        assertEquals(2, timings.forwardPasses(), "the base pass, then the heads of layer 1 resumed at block 1");
        assertTrue(timings.inputsMs() >= 0 && timings.batchedPassesMs() >= 0 && timings.invokeMs() >= 0,
                timings.toString());

        PlotRequest plot = record.plot();
        assertEquals(PlotKind.BAR, plot.kind());
        assertEquals("per head", plot.title());
        assertEquals("head", plot.columnLabel());
        assertEquals(List.of("1", "2", "3"), plot.columnTicks());
        assertEquals(numbers[2], plot.panels().get(0).values()[0][2], 0);
    }

    @Test
    void theRecordWritesAsJson() throws Exception {
        RunOutcome outcome;
        try (ExperimentRunner runner = ExperimentRunner.open(experiment(),
                RunnerOptions.defaults().withModel(model))) {
            outcome = runner.run("perHead");
        }
        JsonNode written = dev.arrakis.io.Json.MAPPER.readTree(
                dev.arrakis.io.Json.MAPPER.writeValueAsString(outcome.record()));
        assertEquals(outcome.record().startedAt().toString(), written.get("startedAt").asText());
        assertEquals(TestDefinition.CHECKPOINT.toString(), written.get("model").get("checkpoint").asText());
        assertEquals(2, written.get("model").get("config").get("layers").asInt());
        assertEquals(outcome.record().results(), written.get("results"));
        assertEquals("BAR", written.get("plot").get("kind").asText());
        assertEquals(4, written.get("plot").get("panels").get(0).get("values").get(0).size());
        assertEquals("head", written.get("axes").get(0).get("name").asText());
    }

    @Test
    void theRecordCannotBeChangedThroughItsJson() {
        RunOutcome outcome;
        try (ExperimentRunner runner = ExperimentRunner.open(experiment(),
                RunnerOptions.defaults().withModel(model))) {
            outcome = runner.run("quiet");
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) outcome.record().arguments()).put("inputs", "changed");
        assertTrue(outcome.record().arguments().get("inputs").isObject(), outcome.record().arguments().toString());
    }

    @Test
    void snapshotsNeverThrow() {
        assertEquals("TokenBatch", Snapshots.of(PROMPTS).get("type").asText());
        TokenBatch padded = TokenBatch.leftPadded(List.of(new long[] {1, 2}, new long[] {3}), 0);
        assertEquals("[[true,true],[false,true]]", Snapshots.of(padded).get("attentionMask").toString());
        assertEquals("a loop", Snapshots.of(new Loop()).get("toString").asText());
        Object throwingToString = new Object() {
            @Override
            public String toString() {
                throw new IllegalStateException("no");
            }
        };
        String snapshot = Snapshots.of(throwingToString).get("toString").asText();
        assertTrue(snapshot.contains("toString threw"), snapshot);
        assertEquals("[1,2]", Snapshots.of(List.of(1, 2)).toString());
    }
}
