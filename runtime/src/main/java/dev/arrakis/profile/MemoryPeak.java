package dev.arrakis.profile;

/**
 * The memory a run needed, as a {@link MemoryProbe} measured it. A plain record for the run record's JSON; a figure
 * that could not be measured is {@code -1}.
 *
 * <p>RSS is the figure to read for model work: libtorch's CPU tensors live in native memory that only RSS shows. The
 * heap figures cover the JVM's own objects (Java arrays of results, token ids, JSON).
 *
 * @param baselineRssBytes the resident set when the probe started, or -1
 * @param peakRssBytes the highest resident set reached (the kernel's {@code VmHWM}, never below the baseline or the
 *     resident set at the finish), or -1; it covers only the probe's span when {@code rssPeakIsSinceProbeStart},
 *     otherwise it may be an earlier, higher peak of the process
 * @param rssPeakIsSinceProbeStart whether {@code peakRssBytes} is the peak of the probe's span alone; false where the
 *     kernel's peak could not be reset (not Linux, no {@code /proc/self/clear_refs}, kernel before 4.0) or another
 *     probe was open, and the process had been higher before
 * @param baselineHeapBytes the JVM heap in use when the probe started, or -1
 * @param peakHeapBytes the sum over the heap's memory pools of each pool's peak use during the probe's span, garbage
 *     not yet collected included; an upper bound of the heap's peak, because pools peak at different moments
 * @param heapPeakIsSinceProbeStart whether {@code peakHeapBytes} covers only the probe's span (false only when
 *     another probe was open and the heap had been higher before)
 */
public record MemoryPeak(
        long baselineRssBytes,
        long peakRssBytes,
        boolean rssPeakIsSinceProbeStart,
        long baselineHeapBytes,
        long peakHeapBytes,
        boolean heapPeakIsSinceProbeStart) {

    /** How far the resident set rose above its baseline at its peak, or -1 when either figure is unknown. */
    public long rssGrowthBytes() {
        return baselineRssBytes < 0 || peakRssBytes < 0 ? -1 : Math.max(0, peakRssBytes - baselineRssBytes);
    }

    /** How far heap use rose above its baseline at its peak, or -1 when either figure is unknown. */
    public long heapGrowthBytes() {
        return baselineHeapBytes < 0 || peakHeapBytes < 0 ? -1 : Math.max(0, peakHeapBytes - baselineHeapBytes);
    }
}
