package dev.arrakis.cli;

import dev.arrakis.runs.RunListing;
import dev.arrakis.runs.RunQuery;
import dev.arrakis.runs.RunStatus;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoredRun;
import java.io.PrintWriter;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code arrakis runs [EXPERIMENT[.RUN]]}: the recorded runs, oldest first, and any store entry that is damaged. */
@Command(name = "runs", description = "List recorded runs, oldest first.", footerHeading = "%nExamples:%n",
        footer = {"  arrakis runs                            every recorded run",
                "  arrakis runs HeadAblation.eachHead --version 2",
                "  arrakis runs --since 2h --status interrupted"})
final class RunsCommand implements Runnable {
    private static final Pattern AGO = Pattern.compile("([0-9]+)([smhd])");

    @Parameters(index = "0", arity = "0..1", paramLabel = "EXPERIMENT[.RUN]", description = "Only this experiment's runs.")
    private String experiment;

    @Option(names = "--version", paramLabel = "N", description = "Only runs of version N (as in v3).")
    private Integer version;

    @Option(names = "--since", paramLabel = "TIME",
            description = "Only runs started at or after TIME: 2026-11-26, 2026-11-26T17:00:00Z, or 2h / 3d ago.")
    private String since;

    @Option(names = "--until", paramLabel = "TIME", description = "Only runs started before TIME (same forms).")
    private String until;

    @Option(names = "--status", paramLabel = "STATUS", description = "Only complete or interrupted runs.")
    private String status;

    @Mixin
    private StoreOption store;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
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
        if (since != null) {
            query = query.withSince(time("--since", since));
        }
        if (until != null) {
            query = query.withUntil(time("--until", until));
        }
        if (status != null) {
            try {
                query = query.withStatus(RunStatus.valueOf(status.toUpperCase(Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "--status is complete or interrupted, got '"
                        + status + "'");
            }
        }
        RunStore runStore = store.openExisting();
        RunListing listing = runStore.list(query);
        PrintWriter out = spec.commandLine().getOut();
        List<StoredRun> runs = listing.runs();
        if (runs.isEmpty()) {
            if (experiment != null) {
                runStore.requireRunsOf(experiment);
            }
            out.println("no runs" + (experiment != null ? " of " + experiment : "")
                    + (query.equals(RunQuery.all().withExperiment(experiment)) ? "" : " matching the filters")
                    + " in " + runStore.root());
        } else {
            List<List<String>> rows = new ArrayList<>();
            rows.add(List.of("ID", "RUN", "VER", "STATUS", "STARTED (UTC)", "POINTS"));
            for (StoredRun run : runs) {
                rows.add(List.of(run.id(), run.qualifiedName(), "v" + run.version(),
                        run.status().name().toLowerCase(Locale.ROOT),
                        run.startedAt().truncatedTo(ChronoUnit.SECONDS).toString(),
                        run.completedPoints() == run.points() ? String.valueOf(run.points())
                                : run.completedPoints() + "/" + run.points()));
            }
            printAligned(out, rows);
        }
        PrintWriter err = spec.commandLine().getErr();
        listing.problems().forEach(problem -> err.println("runs: skipped " + problem));
    }

    /** Columns two spaces apart, each as wide as its widest cell, so long run names never push the rest askew. */
    private static void printAligned(PrintWriter out, List<List<String>> rows) {
        int[] widths = new int[rows.get(0).size()];
        for (List<String> row : rows) {
            for (int column = 0; column < widths.length; column++) {
                widths[column] = Math.max(widths[column], row.get(column).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int column = 0; column < widths.length; column++) {
                line.append(column == 0 ? "" : "  ").append(column == widths.length - 1 ? row.get(column)
                        : String.format(Locale.ROOT, "%-" + widths[column] + "s", row.get(column)));
            }
            out.println(line);
        }
    }

    private Instant time(String option, String text) {
        Matcher ago = AGO.matcher(text);
        if (ago.matches()) {
            try {
                long amount = Long.parseLong(ago.group(1));
                Duration duration = switch (ago.group(2)) {
                    case "s" -> Duration.ofSeconds(amount);
                    case "m" -> Duration.ofMinutes(amount);
                    case "h" -> Duration.ofHours(amount);
                    default -> Duration.ofDays(amount);
                };
                return Instant.now().minus(duration);
            } catch (NumberFormatException | ArithmeticException | DateTimeException beyondTime) {
                throw new ParameterException(spec.commandLine(), option + " age '" + text + "' reaches back further"
                        + " than time can be counted");
            }
        }
        try {
            return text.contains("T") ? Instant.parse(text) : LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC)
                    .toInstant();
        } catch (DateTimeParseException e) {
            throw new ParameterException(spec.commandLine(), option + " takes a date (2026-11-26), an instant"
                    + " (2026-11-26T17:00:00Z) or an age (90m, 2h, 3d); got '" + text + "'");
        }
    }
}
