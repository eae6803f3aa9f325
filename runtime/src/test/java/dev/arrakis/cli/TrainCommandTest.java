package dev.arrakis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import dev.arrakis.model.HookedTransformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
    private static final String[] TINY = {"--vocab", "16", "--context", "16", "--d-model", "16", "--heads", "2",
        "--d-mlp", "32", "--shortest-repeat", "3", "--eval-sequences", "8", "--batch", "4", "--no-progress"};

    @TempDir
    Path temp;

    @Test
    void trainsAndWritesCheckpointCurveAndRecord() throws IOException {
        Path out = temp.resolve("toy");
        CliTest.Outcome outcome = CliTest.run(concat(new String[] {"train", "induction", "--steps", "6",
            "--eval-every", "3", "--seed", "5", "--out", out.toString()}, TINY));
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("step      3  first-occurrence loss")
                && outcome.out().contains("step      6  first-occurrence loss"), outcome.out());
        for (String file : new String[] {"config.json", "model.safetensors", "loss-curve.png", "loss-curve.svg",
            "training.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " in " + out + ": " + outcome.out());
        }
        JsonNode record = Json.MAPPER.readTree(out.resolve("training.json").toFile());
        assertEquals(5, record.get("settings").get("seed").asInt(), "seed recorded: " + record);
        assertEquals(2, record.get("evaluations").size(), "evaluations at steps 3 and 6: " + record);
        assertEquals(6, record.get("evaluations").get(1).get("step").asInt(), "last evaluation: " + record);
        double repeatLoss = record.get("evaluations").get(1).get("metrics").get("repeat loss").asDouble();
        assertTrue(repeatLoss > 2 && repeatLoss < 3.5, "six steps leave the repeat loss near log(16) = 2.77: "
                + repeatLoss);
        try (HookedTransformer model = HookedTransformer.load(out)) {
            assertEquals(16, model.config().dModel(), "d_model of the written checkpoint");
        }
    }

    @Test
    void badInputEndsInOneLineAndExitCodeTwo() {
        CliTest.Outcome noTask = CliTest.run("train");
        assertEquals(ArrakisCli.BAD_INPUT, noTask.code(), noTask.err());
        assertTrue(noTask.err().contains("a task is required: induction"), noTask.err());

        CliTest.Outcome noOut = CliTest.run("train", "induction");
        assertEquals(ArrakisCli.BAD_INPUT, noOut.code(), noOut.err());
        assertTrue(noOut.err().contains("--out"), noOut.err());

        CliTest.Outcome zeroSteps = CliTest.run("train", "induction", "--steps", "0", "--out",
                temp.resolve("x").toString());
        assertEquals(ArrakisCli.BAD_INPUT, zeroSteps.code(), zeroSteps.err());
        assertEquals("induction: steps must be positive, got 0 (see arrakis train induction --help)",
                zeroSteps.err().strip(), zeroSteps.err());

        CliTest.Outcome longRepeat = CliTest.run("train", "induction", "--context", "16", "--shortest-repeat", "9",
                "--out", temp.resolve("y").toString());
        assertEquals(ArrakisCli.BAD_INPUT, longRepeat.code(), longRepeat.err());
        assertEquals("induction: --shortest-repeat must be between 2 and half the context (8), got 9"
                + " (see arrakis train induction --help)",
                longRepeat.err().strip(), longRepeat.err());
        assertTrue(Files.notExists(temp.resolve("x")) && Files.notExists(temp.resolve("y")),
                "nothing written on bad input");
    }

    @Test
    void helpShowsAnExample() {
        CliTest.Outcome help = CliTest.run("train", "induction", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("arrakis train induction --attention-only --steps 6000 --seed 1 \\\n"
                + "      --out models/induction-2l"),
                help.out());
    }

    @Test
    void trainsModularAdditionAndWritesBothCurves() throws IOException {
        Path out = temp.resolve("modadd");
        CliTest.Outcome outcome = CliTest.run("train", "modular-addition", "--p", "7", "--train-fraction", "0.5",
                "--d-model", "16", "--heads", "2", "--d-mlp", "32", "--steps", "4", "--warmup", "1", "--cooldown", "2",
                "--eval-every", "2", "--seed", "3", "--no-progress", "--out", out.toString());
        assertEquals(0, outcome.code(), outcome.err());
        assertTrue(outcome.out().contains("on a + b mod 7 for 4 full-batch steps on 25 of 49 pairs")
                && outcome.out().contains("step      4  train loss"), outcome.out());
        for (String file : new String[] {"config.json", "model.safetensors", "loss-curve.png", "accuracy.png",
            "training.json"}) {
            assertTrue(Files.isRegularFile(out.resolve(file)), file + " in " + out + ": " + outcome.out());
        }
        JsonNode record = Json.MAPPER.readTree(out.resolve("training.json").toFile());
        assertEquals(25, record.get("settings").get("train_pairs").asInt(), "round(0.5 * 49) pairs: " + record);
        assertEquals(2, record.get("evaluations").size(), "evaluations at steps 2 and 4: " + record);
        try (HookedTransformer model = HookedTransformer.load(out)) {
            assertEquals(8, model.config().vocabSize(), "tokens 0..6 and '=': " + model.config());
            assertEquals("RELU", model.config().architecture().activation().name(), "activation");
        }
    }

    @Test
    void modularAdditionRefusesASplitWithNothingHeldOut() {
        CliTest.Outcome outcome = CliTest.run("train", "modular-addition", "--p", "7", "--train-fraction", "1",
                "--out", temp.resolve("z").toString());
        assertEquals(ArrakisCli.BAD_INPUT, outcome.code(), outcome.err());
        assertEquals("modular-addition: trainFraction must leave at least one pair to train on and one to hold out"
                + " of p * p = 49, got 1.0 (see arrakis train modular-addition --help)", outcome.err().strip(),
                outcome.err());
        assertTrue(Files.notExists(temp.resolve("z")), "nothing written on bad input");
    }

    @Test
    void modularAdditionHelpShowsTheCommittedCommand() {
        CliTest.Outcome help = CliTest.run("train", "modular-addition", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("arrakis train modular-addition --p 59 --train-fraction 0.4 \\\n"
                + "      --d-model 64 --d-mlp 256 --learning-rate 0.003 --steps 4500 \\\n"
                + "      --cooldown 1500 --seed 1 --out models/modadd-1l"), help.out());
    }

    private static String[] concat(String[] first, String[] second) {
        String[] joined = java.util.Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, joined, first.length, second.length);
        return joined;
    }
}
