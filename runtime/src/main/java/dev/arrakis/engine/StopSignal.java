package dev.arrakis.engine;

import dev.arrakis.runs.RunStatus;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Asks a running sweep to stop. The runner looks at it between forward passes, so a stop takes effect after the pass
 * in flight, and the run ends {@link RunStatus#INTERRUPTED} with the finished points' results kept and recorded.
 * Thread-safe: meant to be requested from another thread, such as a shutdown hook.
 */
public final class StopSignal {
    private final AtomicBoolean requested = new AtomicBoolean();

    public void request() {
        requested.set(true);
    }

    public boolean isRequested() {
        return requested.get();
    }
}
