package dev.arrakis.cli;

import dev.arrakis.experiment.ExperimentRegistry;
import dev.arrakis.experiment.ExperimentRunner;
import dev.arrakis.experiment.Overrides;
import dev.arrakis.experiment.RunOutcome;
import dev.arrakis.experiment.RunReference;
import dev.arrakis.experiment.RunnerOptions;
import dev.arrakis.experiment.SweepAxis;
import dev.arrakis.io.Json;
import dev.arrakis.plot.PlotRenderer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrakis run Experiment.run key=value ...}: runs one run of an experiment on the class path, with its
 * annotation values overridden; every override is checked against the model before the model loads.
 */
@Command(name = "run", description = "Run an experiment's run, overriding annotation values with key=value.")
final class RunCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "EXPERIMENT.RUN", description = "The run, as `./arrakis list` shows it.")
    private String reference;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE",
            description = "Overrides: layer=3, head=0,1,2 (a sweep), head=range(0,12), head=all, head=[6,9] (together),"
                    + " method=mean; prefix with ablate1./patch. when a run has several interventions.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Load this checkpoint directory instead of the experiment's model (same shape required).")
    private Path checkpoint;

    @Option(names = "--project-dir", paramLabel = "DIR",
            description = "Where config paths in @Experiment(config) are resolved (default: the working directory and"
                    + " the directories above it).")
    private Path projectDir;

    @Option(names = "--max-rows", paramLabel = "N", description = "Rows per batched forward pass (default: 512).")
    private Integer maxRows;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "Tokens (rows x sequence length) per batched forward pass (default: 1024).")
    private Integer maxTokens;

    @Option(names = "--record", paramLabel = "FILE", description = "Write the run's record as JSON to this file.")
    private Path recordFile;

    @Option(names = "--plots", paramLabel = "DIR", defaultValue = "arrakis-plots",
            description = "Where a @Plot run's pictures go, as <Experiment>.<run>.png and .svg (default: ${DEFAULT-VALUE}).")
    private Path plotDirectory;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        for (Integer limit : new Integer[] {maxRows, maxTokens}) {
            if (limit != null && limit <= 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--max-rows and --max-tokens must be positive, got " + limit);
            }
        }
        Map<String, String> parsed = Overrides.fromArguments(overrides);
        RunReference run = ExperimentRegistry.load(Thread.currentThread().getContextClassLoader()).resolve(reference);
        RunnerOptions options = RunnerOptions.defaults();
        if (checkpoint != null) {
            options = options.withCheckpoint(checkpoint);
        }
        if (projectDir != null) {
            options = options.withProjectDir(projectDir);
        }
        if (maxRows != null) {
            options = options.withMaxRowsPerPass(maxRows);
        }
        if (maxTokens != null) {
            options = options.withMaxTokensPerPass(maxTokens);
        }
        try (ExperimentRunner runner = ExperimentRunner.open(run.experiment(), options)) {
            runner.check(run.run().name(), parsed);
            RunOutcome outcome = runner.run(run.run().name(), parsed);
            print(outcome, spec.commandLine().getOut());
            outcome.plot().ifPresent(plot -> new PlotRenderer()
                    .render(plot, plotDirectory, outcome.experiment() + "." + outcome.run())
                    .files()
                    .forEach(file -> spec.commandLine().getOut().println("wrote " + file)));
            if (recordFile != null) {
                writeRecord(outcome);
            }
        }
    }

    private static void print(RunOutcome outcome, PrintWriter out) {
        out.printf("%s.%s  version %s  %d point%s%n", outcome.experiment(), outcome.run(),
                outcome.record().fingerprint().substring(0, 12), outcome.points(), outcome.points() == 1 ? "" : "s");
        List<SweepAxis> axes = outcome.axes();
        if (axes.isEmpty()) {
            out.println(format(outcome.value()));
        } else if (axes.size() == 2 && allNumbers(outcome)) {
            double[][] grid = outcome.grid();
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT, "%-10s", axes.get(0).name() + "\\"
                    + axes.get(1).name()));
            axes.get(1).values().forEach(value -> header.append(String.format(Locale.ROOT, " %10d", value)));
            out.println(header);
            for (int row = 0; row < grid.length; row++) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-10d", axes.get(0).values().get(row)));
                for (double value : grid[row]) {
                    line.append(String.format(Locale.ROOT, " %10.5f", value));
                }
                out.println(line);
            }
        } else {
            List<Object> values = outcome.values();
            for (int point = 0; point < values.size(); point++) {
                StringBuilder coordinates = new StringBuilder();
                outcome.coordinates(point).forEach((axis, value) ->
                        coordinates.append(coordinates.isEmpty() ? "" : " ").append(axis).append('=').append(value));
                out.println(coordinates + "  " + format(values.get(point)));
            }
        }
        outcome.plot().ifPresent(plot -> out.println("plot: " + plot.kind().name().toLowerCase(Locale.ROOT)
                + " \"" + plot.title() + "\""));
    }

    private static boolean allNumbers(RunOutcome outcome) {
        return outcome.values().stream().allMatch(value -> value instanceof Number);
    }

    private static String format(Object value) {
        if (value instanceof Double || value instanceof Float) {
            return String.format(Locale.ROOT, "%.6f", ((Number) value).doubleValue());
        }
        return String.valueOf(value);
    }

    private void writeRecord(RunOutcome outcome) {
        try {
            Path parent = recordFile.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(recordFile.toFile(), outcome.record());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + recordFile + ": " + e.getMessage(), e);
        }
    }
}
