package dev.arrakis.cli;

import dev.arrakis.runs.RunComparison;
import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.StoreProblem;
import dev.arrakis.runs.StoredRun;
import java.io.PrintWriter;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code arrakis diff RUN_A RUN_B}: the source diff between the runs' versions, the arguments and settings that
 * changed, and the results side by side with their differences.
 */
@Command(name = "diff", description = "Compare two recorded runs: source, arguments, settings and results.",
        footerHeading = "%nExamples:%n",
        footer = {"  arrakis diff HeadAblation.eachHead@v1 HeadAblation.eachHead@v2",
                "  arrakis diff 3f9c2a latest --changed"})
final class DiffCommand implements Runnable {
    @Parameters(index = "0", paramLabel = "RUN_A", description = "The earlier run (any form `show` takes).")
    private String first;

    @Parameters(index = "1", paramLabel = "RUN_B", description = "The later run.")
    private String second;

    @Option(names = "--changed", description = "List only the points whose result changed.")
    private boolean changedOnly;

    @Mixin
    private StoreOption store;

    @Spec
    private CommandSpec spec;

    @Override
    public void run() {
        RunStore runStore = store.openExisting();
        // Both references may walk past the same damaged run; it is reported once.
        Set<StoreProblem> skipped = new LinkedHashSet<>();
        RunComparison comparison;
        try {
            comparison = runStore.compare(runStore.get(first, skipped::add), runStore.get(second, skipped::add));
        } finally {
            PrintWriter err = spec.commandLine().getErr();
            skipped.forEach(problem -> err.println("diff: skipped " + problem));
        }
        PrintWriter out = spec.commandLine().getOut();
        if (!comparison.sameRun()) {
            out.printf("note: comparing different runs: %s vs %s%n", comparison.before().qualifiedName(),
                    comparison.after().qualifiedName());
        }
        out.printf("A  %s  %s v%d  %s%n", comparison.before().id(), comparison.before().qualifiedName(),
                comparison.before().version(), comparison.before().startedAt());
        out.printf("B  %s  %s v%d  %s%n", comparison.after().id(), comparison.after().qualifiedName(),
                comparison.after().version(), comparison.after().startedAt());
        out.println();
        if (comparison.sourceDiff().isEmpty()) {
            out.println("source: the same (v" + comparison.before().version() + ")");
        } else {
            out.println("source:");
            comparison.sourceDiff().forEach(line -> out.println("  " + line));
        }
        section(out, "arguments", comparison.arguments());
        section(out, "settings", comparison.settings());
        if (!comparison.resultsPaired()) {
            out.printf("results: not paired point by point: A's points are named by %s and B's by %s%n",
                    axes(comparison.before()), axes(comparison.after()));
            for (RunComparison.ResultRow row : comparison.results()) {
                boolean fromBefore = row.before() != null;
                out.printf("  %s %-24s %14s%n", fromBefore ? "A" : "B", pointName(row),
                        ResultTable.format(fromBefore ? row.before() : row.after()));
            }
            return;
        }
        out.println("results:");
        out.printf("  %-24s %14s %14s %14s%n", "point", "A", "B", "B - A");
        int unchanged = 0;
        for (RunComparison.ResultRow row : comparison.results()) {
            if (changedOnly && !row.changed()) {
                unchanged++;
                continue;
            }
            String difference = row.difference() != null ? String.format(Locale.ROOT, "%+.6f", row.difference())
                    : row.maxAbsoluteDifference() != null
                            ? String.format(Locale.ROOT, "max|d| %.3g", row.maxAbsoluteDifference()) : "";
            out.printf("  %-24s %14s %14s %14s%s%n", pointName(row),
                    ResultTable.format(row.before()), ResultTable.format(row.after()), difference,
                    row.changed() ? "" : "  =");
        }
        if (unchanged > 0) {
            out.println("  (" + unchanged + " unchanged points not shown)");
        }
    }

    private static String pointName(RunComparison.ResultRow row) {
        return row.point().isEmpty() ? "(single point)" : row.point();
    }

    private static String axes(StoredRun run) {
        return run.pointAxes().isEmpty() ? "none (a single point)" : String.join(", ", run.pointAxes());
    }

    private static void section(PrintWriter out, String title, java.util.List<RunComparison.Change> changes) {
        if (changes.isEmpty()) {
            out.println(title + ": the same");
            return;
        }
        out.println(title + ":");
        for (RunComparison.Change change : changes) {
            out.printf("  %s: %s -> %s%n", change.path(), change.before() == null ? "(absent)" : change.before(),
                    change.after() == null ? "(absent)" : change.after());
        }
    }
}
