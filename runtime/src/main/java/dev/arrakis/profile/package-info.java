/**
 * What a run costs: {@link dev.arrakis.profile.MemoryProbe} measures a run's peak memory (resident set, where
 * libtorch's tensors live, and JVM heap) and {@link dev.arrakis.profile.ComponentProfiler} times each component of
 * its forward passes. Both produce plain records ({@link dev.arrakis.profile.MemoryPeak},
 * {@link dev.arrakis.profile.ComponentProfile}) for the run record's JSON, and neither fails a run where the platform
 * cannot measure something: the figure is reported as unknown instead.
 */
package dev.arrakis.profile;
