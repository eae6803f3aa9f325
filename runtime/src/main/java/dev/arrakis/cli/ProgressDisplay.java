package dev.arrakis.cli;

import dev.arrakis.engine.RunListener;
import dev.arrakis.runs.RunStatus;
import java.io.PrintWriter;
import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * A progress bar with an ETA for sweeps that take a while (me.tongfei's progressbar draws it). Nothing is shown for
 * a run that ends within {@link #DELAY}: a bar that flashes past says nothing. The bar is redrawn in place with a
 * carriage return, so it suits a terminal; the run command shows it only there unless asked.
 */
final class ProgressDisplay implements RunListener {
    static final Duration DELAY = Duration.ofSeconds(2);
    private static final int WIDTH = 100;

    private final PrintWriter err;
    private final Duration delay;
    private final String unit;
    private long startedNanos;
    private String task = "";
    private ProgressBar bar;

    /** A bar counting sweep points. */
    ProgressDisplay(PrintWriter err, Duration delay) {
        this(err, delay, "points");
    }

    /** A bar counting {@code unit}: {@code tokens} for generation, {@code steps} for training. */
    ProgressDisplay(PrintWriter err, Duration delay, String unit) {
        this.err = err;
        this.delay = delay;
        this.unit = unit;
    }

    @Override
    public void started(String experiment, String run, int points) {
        startedNanos = System.nanoTime();
        task = experiment + "." + run;
    }

    @Override
    public void progressed(int finished, int points) {
        Duration elapsed = Duration.ofNanos(System.nanoTime() - startedNanos);
        if (bar == null && (points <= 1 || elapsed.compareTo(delay) < 0 || finished >= points)) {
            return;
        }
        if (bar == null) {
            bar = new ProgressBarBuilder()
                    .setTaskName(task)
                    .setInitialMax(points)
                    .setUnit(" " + unit, 1)
                    .setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(new WriterConsumer(err))
                    .startsFrom(finished, elapsed)
                    .build();
            return;
        }
        bar.stepTo(finished);
    }

    @Override
    public void ended(RunStatus status, int finished, int points) {
        if (bar != null) {
            bar.stepTo(finished);
            bar.close();
            bar = null;
        }
    }

    /** Draws on the command's error stream, which tests capture, instead of the process's own. */
    private static final class WriterConsumer implements ProgressBarConsumer {
        private final PrintWriter err;

        WriterConsumer(PrintWriter err) {
            this.err = err;
        }

        @Override
        public int getMaxRenderedLength() {
            return WIDTH;
        }

        @Override
        public void accept(String rendered) {
            err.print('\r');
            err.print(rendered);
            err.flush();
        }

        @Override
        public void close() {
            err.println();
            err.flush();
        }
    }
}
