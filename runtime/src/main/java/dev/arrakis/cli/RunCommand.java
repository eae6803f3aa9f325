package dev.arrakis.cli;

import dev.arrakis.engine.ExperimentRegistry;
import dev.arrakis.engine.ExperimentRunner;
import dev.arrakis.engine.Overrides;
import dev.arrakis.engine.RunListener;
import dev.arrakis.engine.RunReference;
import dev.arrakis.engine.RunnerOptions;
import dev.arrakis.engine.StopSignal;
import dev.arrakis.experiment.ExperimentDefinition;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.io.Json;
import dev.arrakis.plot.PlotRenderer;
import dev.arrakis.runs.RunOutcome;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoredRun;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrakis run Experiment.run key=value ...}: runs one run of an experiment on the class path, with its
 * annotation values overridden; every override is checked against the model before the model loads. {@code arrakis run
 * Experiment} runs every run of the experiment in declaration order, on one loaded model. The run is
 * recorded in the run store (unless {@code --no-record}), a sweep that takes a while shows a progress bar on a
 * terminal, and Ctrl-C (or SIGTERM) stops after the pass in flight and records the points that finished.
 */
@Command(name = "run", description = "Run an experiment's run, overriding annotation values with key=value; or every"
        + " run of an experiment, in declaration order.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis run HeadAblation.baseline",
                "  arrakis run InductionHeads   (every run, the model loaded once)",
                "  arrakis run HeadAblation.eachHead layer=0 'head=range(0,4)'  (four points; quoted for the shell)",
                "  arrakis run HeadAblation.twoHeadsTogether head=[1,3] --no-record",
                "  arrakis run HeadAblation.eachHead --plots plots --profile",
                "  arrakis run --class-path target/classes MyExperiment.myRun   (your own)"})
final class RunCommand implements Callable<Integer> {
    /** The exit code of a run stopped by Ctrl-C, as a shell reports a process ended by SIGINT. */
    static final int INTERRUPTED = 130;
    private static final long SHUTDOWN_WAIT_SECONDS = 120;

    @Parameters(index = "0", paramLabel = "EXPERIMENT[.RUN]",
            description = "The run, as `./arrakis list` shows it; an experiment alone runs all its runs.")
    private String reference;

    @Parameters(index = "1..*", paramLabel = "KEY=VALUE",
            description = "Overrides: layer=3, head=0,1,2 (a sweep), head=range(0,12), head=all, head=[6,9] (together),"
                    + " method=mean; prefix with ablate1./patch. when a run has several interventions.")
    private List<String> overrides = new ArrayList<>();

    @Option(names = "--checkpoint", paramLabel = "DIR",
            description = "Load this checkpoint directory instead of the experiment's model (same shape required).")
    private Path checkpoint;

    @Option(names = "--project-dir", paramLabel = "DIR",
            description = "Resolve a relative @Experiment(config) path here and in the directories above it (default:"
                    + " where the build found it; if that no longer holds it, the working directory and above).")
    private Path projectDir;

    @Option(names = "--max-rows", paramLabel = "N", description = "Rows per batched forward pass (default: 512).")
    private Integer maxRows;

    @Option(names = "--max-tokens", paramLabel = "N",
            description = "Tokens (rows x sequence length) per batched forward pass (default: 1024).")
    private Integer maxTokens;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "0",
            description = "Seed of the engine's random generator, recorded with the run (default: ${DEFAULT-VALUE}).")
    private int seed;

    @Option(names = "--profile", description = "Also time every component of every forward pass and record it.")
    private boolean profile;

    @Option(names = "--no-reuse", description = "Run every sweep point as a full forward pass instead of starting it"
            + " from the base run at the first layer and position it changes (same results; for measuring).")
    private boolean noReuse;

    @Mixin
    private ProcessWeightsOption weights;

    @Mixin
    private ClassPathOption classPath;

    @Mixin
    private StoreOption store;

    @Option(names = "--no-record", description = "Do not record the run in the run store.")
    private boolean noRecord;

    @Option(names = "--record", paramLabel = "FILE", description = "Also write the run's record as JSON to this file.")
    private Path recordFile;

    @Option(names = "--plots", paramLabel = "DIR",
            description = "Also write a @Plot run's pictures here, as <Experiment>.<run>.png and .svg (a recorded run"
                    + " keeps its own in the store; without --no-record this defaults to none).")
    private Path plotDirectory;

    @Option(names = "--progress", negatable = true,
            description = "Show a progress bar on sweeps longer than a few seconds (default: only on a terminal).")
    private Boolean progress;

    @Spec
    private CommandSpec spec;

    /** Set by tests to stop a run as Ctrl-C would; null on the command line, where the shutdown hook stops it. */
    StopSignal stopSignal;
    /** Set by tests to follow a run's progress; replaces the progress bar. */
    RunListener listener;

    @Override
    public Integer call() {
        return classPath.withExperiments(this::run);
    }

    private int run(ClassLoader experiments) {
        for (Integer limit : new Integer[] {maxRows, maxTokens}) {
            if (limit != null && limit <= 0) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "--max-rows and --max-tokens must be positive, got " + limit);
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> parsed = Overrides.fromArguments(overrides);
        ExperimentRegistry registry = ExperimentRegistry.load(experiments);
        Optional<ExperimentDefinition<?>> whole = registry.lookup(reference);
        List<String> runNames;
        ExperimentDefinition<?> experiment;
        if (whole.isPresent()) {
            experiment = whole.get();
            runNames = experiment.runs().stream().map(RunDefinition::name).toList();
            if (!parsed.isEmpty() || recordFile != null) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), (parsed.isEmpty() ? "--record"
                        : "overrides") + " apply to one run; name it, e.g. " + reference + "." + runNames.get(0));
            }
        } else {
            RunReference run = registry.resolve(reference);
            experiment = run.experiment();
            runNames = List.of(run.run().name());
        }
        RunStore runStore = noRecord ? null : store.open();
        StopSignal stop = stopSignal != null ? stopSignal : new StopSignal();
        RunnerOptions options = options(stop, err);
        CountDownLatch recorded = new CountDownLatch(1);
        Thread onShutdown = new Thread(() -> {
            stop.request();
            err.println();
            err.println("stopping after the current forward pass; the finished points will be recorded");
            err.flush();
            awaitQuietly(recorded);
        }, "arrakis-run-stop");
        Runtime.getRuntime().addShutdownHook(onShutdown);
        try (ExperimentRunner runner = ExperimentRunner.open(experiment, options)) {
            for (String runName : runNames) {
                runner.check(runName, parsed);
            }
            for (String runName : runNames) {
                RunOutcome outcome = runner.run(runName, parsed);
                report(outcome, runStore, out);
                if (outcome.status() == RunStatus.INTERRUPTED) {
                    err.println("interrupted: " + outcome.completedPoints() + " of " + outcome.points()
                            + " points finished");
                    return INTERRUPTED;
                }
            }
            return 0;
        } finally {
            recorded.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(onShutdown);
            } catch (IllegalStateException shuttingDown) {
                // The hook is running: it stopped the run, and returns now that the record is written.
            }
        }
    }

    /** Prints a run's results, records it, and writes its pictures and record file where asked. */
    private void report(RunOutcome outcome, RunStore runStore, PrintWriter out) {
        print(outcome, out);
        if (runStore != null) {
            StoredRun stored = runStore.save(outcome.record());
            out.println("recorded " + stored.id() + " (" + stored.qualifiedName() + " v" + stored.version()
                    + ") in " + runStore.root());
            stored.pictures().forEach(picture -> out.println("  " + picture));
        }
        if (plotDirectory != null || runStore == null) {
            Path directory = plotDirectory != null ? plotDirectory : Path.of("arrakis-plots");
            outcome.plot().ifPresent(plot -> new PlotRenderer()
                    .render(plot, directory, outcome.experiment() + "." + outcome.run())
                    .files()
                    .forEach(file -> out.println("wrote " + file)));
        }
        if (recordFile != null) {
            writeRecord(outcome);
        }
    }

    private RunnerOptions options(StopSignal stop, PrintWriter err) {
        RunnerOptions options = RunnerOptions.defaults().withSeed(seed).withStopSignal(stop)
                .withComponentProfile(profile).withWeightProcessing(weights.processing()).withBaseRunReuse(!noReuse);
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
        boolean showProgress = progress != null ? progress : System.console() != null;
        if (listener != null) {
            options = options.withListener(listener);
        } else if (showProgress) {
            options = options.withListener(new ProgressDisplay(err, ProgressDisplay.DELAY));
        }
        return options;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void print(RunOutcome outcome, PrintWriter out) {
        out.printf("%s.%s  fingerprint %s  %d point%s%n", outcome.experiment(), outcome.run(),
                outcome.record().fingerprint().substring(0, 12), outcome.points(), outcome.points() == 1 ? "" : "s");
        ResultTable.print(out, outcome.axes(), outcome.values());
        outcome.plot().ifPresent(plot -> out.println("plot: " + plot.kind().name().toLowerCase(Locale.ROOT)
                + " \"" + plot.title() + "\""));
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
