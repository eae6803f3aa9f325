package dev.arrakis.cli;

import dev.arrakis.runs.RunExport;
import dev.arrakis.runs.RunQuery;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoredRun;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code arrakis export [RUN...]}: runs as JSON lines for pandas, one line per point or per run. */
@Command(name = "export", description = "Export runs as JSON lines (pandas: pd.read_json(path, lines=True)).",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis export latest", "  arrakis export --experiment HeadAblation -o head-ablation.jsonl",
                "  arrakis export --format records 3f9c2a 8d01be"})
final class ExportCommand implements Runnable {
    @Parameters(arity = "0..*", paramLabel = "RUN", description = "Runs to export (any form `show` takes).")
    private List<String> references = new ArrayList<>();

    @Option(names = "--experiment", paramLabel = "EXPERIMENT[.RUN]",
            description = "Export every run of this experiment (with no RUN and no --experiment: every run).")
    private String experiment;

    @Option(names = "--version", paramLabel = "N", description = "With --experiment: only version N.")
    private Integer version;

    @Option(names = "--format", paramLabel = "points|records", defaultValue = "points",
            description = "points: one line per sweep point (default); records: one line per run, the whole record.")
    private String format;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of standard output.")
    private Path output;

    @Mixin
    private StoreOption store;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        RunExport.Format chosen;
        try {
            chosen = RunExport.Format.valueOf(format.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--format is points or records, got '" + format + "'");
        }
        RunStore runStore = store.openExisting();
        List<StoredRun> runs = new ArrayList<>();
        references.forEach(reference -> runs.add(runStore.get(reference)));
        if (references.isEmpty() || experiment != null) {
            RunQuery query = RunQuery.all();
            if (experiment != null) {
                query = query.withExperiment(experiment);
            }
            if (version != null) {
                if (version < 1) {
                    throw new ParameterException(spec.commandLine(), "--version counts from 1, got " + version);
                }
                query = query.withVersion(version);
            }
            List<StoredRun> matched = runStore.list(query).runs();
            if (matched.isEmpty() && experiment != null) {
                runStore.requireRunsOf(experiment);
            }
            runs.addAll(matched);
        }
        try {
            if (output == null) {
                RunExport.write(runs, chosen, spec.commandLine().getOut());
                if (runs.isEmpty()) {
                    spec.commandLine().getErr().println("export: no runs to export in " + runStore.root());
                }
                return;
            }
            Path parent = output.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            try (Writer writer = new OutputStreamWriter(Files.newOutputStream(output), StandardCharsets.UTF_8)) {
                RunExport.write(runs, chosen, writer);
            }
            spec.commandLine().getErr().println("exported " + runs.size() + " run" + (runs.size() == 1 ? "" : "s")
                    + " from " + runStore.root() + " to " + output);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot export to " + (output == null ? "standard output" : output) + ": "
                    + e.getMessage(), e);
        }
    }
}
