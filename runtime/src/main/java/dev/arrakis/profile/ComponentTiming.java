package dev.arrakis.profile;

import java.util.Objects;

/**
 * The time one component of the model took, summed over the profiled passes.
 *
 * @param component {@code embed}, {@code blocks.L.attn}, {@code blocks.L.mlp} (or {@code blocks.L} where attention
 *     and MLP run in parallel and there is no {@code hook_resid_mid} between them), or {@code unembed}
 * @param totalNanos wall time spent in the component over all passes, the profiler's own overhead excluded
 * @param passes how many passes ran the component (fewer than the profile's passes for components after an early
 *     stop)
 * @param maxRssGrowthBytes the largest net growth of the resident set across the component in any one pass (0 when it
 *     never grew), or -1 where RSS cannot be read; allocations freed again inside the component do not show here,
 *     only in the run's {@link MemoryPeak}
 */
public record ComponentTiming(String component, long totalNanos, int passes, long maxRssGrowthBytes) {
    public ComponentTiming {
        Objects.requireNonNull(component, "component");
    }

    /** Mean nanoseconds per pass that ran the component, 0 when none did. */
    public long meanNanos() {
        return passes == 0 ? 0 : totalNanos / passes;
    }
}
