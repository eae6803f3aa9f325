package dev.arrakis.profile;

import java.util.List;
import java.util.Optional;

/**
 * Where the time of a run's forward passes went, per component, as a {@link ComponentProfiler} measured it. A plain
 * record for the run record's JSON.
 *
 * @param passes how many passes were profiled (passes that threw are not counted)
 * @param wallNanos the passes' wall time, from just before {@code model.run} to just after it returned
 * @param profilerOverheadNanos the part of {@code wallNanos} the profiler spent in its own hooks (reading the clock
 *     and the resident set); the components' times exclude it, so they add up to {@code wallNanos} minus this
 * @param components the components that ran at least once, in forward order
 */
public record ComponentProfile(int passes, long wallNanos, long profilerOverheadNanos,
        List<ComponentTiming> components) {
    public ComponentProfile {
        components = List.copyOf(components);
    }

    /** A profile of no passes. */
    public static ComponentProfile empty() {
        return new ComponentProfile(0, 0, 0, List.of());
    }

    /** The named component's timing, e.g. {@code component("blocks.3.mlp")}. */
    public Optional<ComponentTiming> component(String name) {
        return components.stream().filter(timing -> timing.component().equals(name)).findFirst();
    }
}
