package dev.arrakis.runs;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.cli.ArrakisCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The long store-scale measurement ({@code tools/store-scale}): fills a store through the real writer with hand-made
 * records, and at 100, 1,000, 10,000 runs (and the total asked for) times the commands a researcher types against
 * it: {@code runs}, {@code show latest}, {@code diff latest~1 latest} and {@code show} by short id. Each command runs
 * in this JVM as {@code ./arrakis} would run it, once to warm up and then {@value #REPEATS} times; the median is
 * reported with the load average, since the machine may be shared.
 *
 * <p>Run from {@code runtime/} (the fixtures read the reference model's config from there):
 * {@code java -cp ... dev.arrakis.runs.StoreScale RUNS STORE_DIRECTORY}.
 */
public final class StoreScale {
    private static final int REPEATS = 5;
    private static final List<Integer> CHECKPOINTS = List.of(100, 1_000, 10_000);
    private static final List<String> EXPERIMENTS = List.of("HeadAblation", "PathPatching", "NeuronAblation",
            "Steering", "LogitLens");
    /** About the size of a real experiment's source, which every record carries. */
    private static final String SOURCE_PADDING = "        // " + "x".repeat(70) + "\n";

    private StoreScale() {}

    public static void main(String[] args) throws IOException {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
        Path directory = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("arrakis-store-scale");
        if (Files.exists(directory.resolve("runs"))) {
            throw new IllegalArgumentException(directory + " already holds runs; give an empty directory");
        }
        RunStore store = RunStore.open(directory);
        List<Integer> checkpoints = new ArrayList<>(CHECKPOINTS.stream().filter(count -> count < total).toList());
        checkpoints.add(total);
        System.out.printf(Locale.ROOT, "store %s, %d cores, median of %d after one warm-up%n", store.root(),
                Runtime.getRuntime().availableProcessors(), REPEATS);
        System.out.printf(Locale.ROOT, "%8s %10s %10s %12s %16s %18s  %s%n", "runs", "save/run", "runs (ms)",
                "show latest", "diff latest~1..", "show SHORTID (ms)", "load average (1, 5, 15 min)");
        int saved = 0;
        String firstId = null;
        for (int checkpoint : checkpoints) {
            long fillStart = System.nanoTime();
            int filling = checkpoint - saved;
            for (; saved < checkpoint; saved++) {
                StoredRun run = store.save(record(saved));
                if (firstId == null) {
                    firstId = run.id();
                }
            }
            double savePerRun = (System.nanoTime() - fillStart) / 1e6 / filling;
            String where = store.root().toString();
            double list = median(() -> command("runs", "--store", where));
            double latest = median(() -> command("show", "latest", "--store", where));
            double diff = median(() -> command("diff", "latest~1", "latest", "--store", where));
            String shortId = StoreNames.shortId(firstId);
            double byShortId = median(() -> command("show", shortId, "--store", where));
            System.out.printf(Locale.ROOT, "%8d %10.2f %10.1f %12.1f %16.1f %18.1f  %s%n", checkpoint, savePerRun, list,
                    latest, diff, byShortId, loadAverage());
        }
    }

    /** A head sweep of 12 points, inline, of one of five experiments, with a source of about 3 KB. */
    static RunRecord record(int index) {
        ObjectNode arguments = JsonNodeFactory.instance.objectNode();
        arguments.putObject("overrides").put("layer", String.valueOf(index % 12));
        arguments.putArray("interventions");
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        IntStream.range(0, 12).forEach(head -> results.add(Math.sin(index * 12 + head)));
        String body = "logits.diff() * " + (index % 3) + ";\n" + SOURCE_PADDING.repeat(36) + "        return 0";
        return StoreFixtures.record(EXPERIMENTS.get(index % EXPERIMENTS.size()), body, arguments,
                List.of(new SweepAxis("head", IntStream.range(0, 12).boxed().toList())), results, RunStatus.COMPLETE,
                12);
    }

    private interface Command {
        void run();
    }

    private static double median(Command command) {
        command.run();
        double[] millis = new double[REPEATS];
        for (int repeat = 0; repeat < REPEATS; repeat++) {
            long start = System.nanoTime();
            command.run();
            millis[repeat] = (System.nanoTime() - start) / 1e6;
        }
        Arrays.sort(millis);
        return millis[REPEATS / 2];
    }

    private static void command(String... args) {
        StringWriter err = new StringWriter();
        int code = ArrakisCli.execute(args, new PrintWriter(Writer.nullWriter()), new PrintWriter(err));
        if (code != 0) {
            throw new IllegalStateException(String.join(" ", args) + " exited " + code + ": " + err);
        }
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return fields[0] + ", " + fields[1] + ", " + fields[2];
        } catch (IOException e) {
            return "unknown";
        }
    }
}
