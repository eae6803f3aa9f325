package dev.arrakis.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arrakis.io.Json;
import dev.arrakis.runs.StoredRun;
import java.awt.Desktop;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code arrakis show RUN}: what a recorded run was, what it produced, and where its pictures are. */
@Command(name = "show", description = "Show a recorded run: its version, model, arguments, timings and results.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis show latest", "  arrakis show HeadAblation.eachHead@v2 --json",
                "  arrakis show 3f9c2a --open"})
final class ShowCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "RUN",
            description = "An id (or its last six characters, or a unique prefix), latest, NAME@latest, NAME@vN.")
    private String reference;

    @Option(names = "--json", description = "Print the whole record as JSON, large arrays read back inline.")
    private boolean json;

    @Option(names = "--open", description = "Open the run's page (index.html) in the desktop's browser.")
    private boolean open;

    @Mixin
    private StoreOption store;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        PrintWriter err = spec.commandLine().getErr();
        StoredRun run = store.openExisting().get(reference, problem -> err.println("show: skipped " + problem));
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            try {
                out.println(Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(run.documentWithArrays()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            return;
        }
        JsonNode document = run.documentWithArrays();
        out.printf("run       %s%n", run.id());
        out.printf("name      %s  v%d  (fingerprint %s)%n", run.qualifiedName(), run.version(),
                run.fingerprint().substring(0, Math.min(12, run.fingerprint().length())));
        out.printf("status    %s, %d of %d points%n", run.status().name().toLowerCase(Locale.ROOT),
                run.completedPoints(), run.points());
        out.printf("started   %s%s%n", run.startedAt(), run.finishedAt() == null ? ""
                : "  (" + java.time.Duration.between(run.startedAt(), run.finishedAt()).toMillis() + " ms)");
        JsonNode model = document.path("model");
        out.printf("model     %s  %s%n", model.path("displayName").asText(), model.path("checkpoint").asText());
        for (JsonNode weight : model.path("weights")) {
            out.printf("          %s  %d bytes  sha256 %s%n", weight.path("file").asText(),
                    weight.path("bytes").asLong(), weight.path("sha256").asText());
        }
        out.printf("weights   %s%n", processing(model.path("weightProcessing")));
        out.printf("seed      %s%n", document.path("seed").asText());
        JsonNode git = document.path("environment").path("git");
        out.printf("git       %s%n", git.isObject() ? git.path("commit").asText()
                + (git.path("dirty").asBoolean() ? " (dirty: " + git.path("changedPaths").asInt() + " paths changed)"
                : " (clean)") : "-");
        JsonNode environment = document.path("environment");
        out.printf("software  java %s, DJL %s, %s%n", environment.path("java").asText(), environment.path("djl").asText(),
                environment.path("engine").asText());
        out.printf("overrides %s%n", overrides(document.path("arguments").path("overrides")));
        run.interventions().forEach(intervention -> out.printf("          %s%n",
                InterventionText.describe(intervention)));
        JsonNode timings = document.path("timings");
        out.printf("timings   load %d ms, inputs %d ms, clean %d ms, passes %d ms, run method %d ms, %d passes%n",
                timings.path("loadMs").asLong(), timings.path("inputsMs").asLong(),
                timings.path("cleanPassMs").asLong(), timings.path("batchedPassesMs").asLong(),
                timings.path("invokeMs").asLong(), timings.path("forwardPasses").asInt());
        MeasurementsText.print(out, document);
        out.println();
        List<JsonNode> results = new ArrayList<>();
        document.path("results").forEach(results::add);
        ResultTable.print(out, run.axes(), results);
        out.println();
        run.pictures().forEach(picture -> out.println("picture   " + picture));
        out.println("page      " + run.page());
        if (open) {
            openPage(run);
        }
    }

    /** {@code layer=1 head=0,3}, as they were typed after the run's name; {@code none} when there were none. */
    /** The processing steps the loaded model had, as {@code --process-weights} applies them, or {@code as loaded}. */
    private static String processing(JsonNode steps) {
        List<String> applied = new ArrayList<>();
        steps.fields().forEachRemaining(step -> {
            if (step.getValue().asBoolean()) {
                applied.add(step.getKey());
            }
        });
        return applied.isEmpty() ? "as in the checkpoint" : "processed: " + String.join(", ", applied);
    }

    private static String overrides(JsonNode overrides) {
        List<String> typed = new ArrayList<>();
        overrides.fields().forEachRemaining(field -> typed.add(field.getKey() + "=" + field.getValue().asText()));
        return typed.isEmpty() ? "none" : String.join(" ", typed);
    }

    private void openPage(StoredRun run) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            if (!java.awt.GraphicsEnvironment.isHeadless() && Desktop.isDesktopSupported()
                    && Desktop.getDesktop().isSupported(Desktop.Action.BROWSE)) {
                Desktop.getDesktop().browse(run.page().toUri());
                return;
            }
            new ProcessBuilder("xdg-open", run.page().toString()).inheritIO().start();
        } catch (IOException | UnsupportedOperationException e) {
            err.println("show: cannot open a browser here (" + e.getMessage() + "); open " + run.page().toUri());
        }
    }
}
