package dev.arrakis.runs;

import java.nio.file.Path;

/**
 * A separate process that saves runs, for the tests of several writers and of a writer killed mid-run: {@code
 * StoreWriterMain ROOT EXPERIMENT COUNT TAG}. Saves COUNT runs whose sources alternate between two bodies, each with
 * a result array large enough to go to safetensors, and prints {@code saved ID vVERSION BODY} after each.
 */
public final class StoreWriterMain {
    private StoreWriterMain() {}

    public static void main(String[] args) {
        RunStore store = RunStore.open(Path.of(args[0]));
        String experiment = args[1];
        int count = Integer.parseInt(args[2]);
        String tag = args[3];
        for (int i = 0; i < count; i++) {
            String body = i % 2 == 0 ? "logits.diff()" : "logits.diff() * 2";
            StoredRun run = store.save(StoreFixtures.headSweep(experiment, body, 1, results(tag, i)));
            System.out.println("saved " + run.id() + " v" + run.version() + " " + body + " " + tag + "-" + i);
            System.out.flush();
        }
    }

    /** 300 numbers that say which writer and which run they came from. */
    static double[] results(String tag, int index) {
        double[] values = new double[300];
        for (int i = 0; i < values.length; i++) {
            values[i] = tag.hashCode() % 1000 + index + i / 1000.0;
        }
        return values;
    }
}
