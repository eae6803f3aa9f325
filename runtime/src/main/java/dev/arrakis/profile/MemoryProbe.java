package dev.arrakis.profile;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures the peak memory of one run: started before the run, finished after it.
 *
 * <pre>{@code
 * try (MemoryProbe probe = MemoryProbe.start()) {
 *     ... the run ...
 *     MemoryPeak peak = probe.finish();
 * }
 * }</pre>
 *
 * <p>The figure that matters for models is the resident set (RSS): libtorch allocates CPU tensors with native
 * {@code malloc}, which neither the heap nor the JVM's direct-memory accounting sees. The kernel keeps the process's
 * peak RSS ({@code VmHWM}); on Linux 4.0+ the probe resets it at start through {@code /proc/self/clear_refs}, so the
 * peak it reports belongs to the run and not to, say, an earlier model load. Where the reset is impossible the
 * probe still works and says so in {@link MemoryPeak#rssPeakIsSinceProbeStart()}. The JVM heap's pools have peaks of
 * their own, reset the same way through {@link MemoryPoolMXBean#resetPeakUsage()}.
 *
 * <p>Both peaks belong to the whole process, so probes in one JVM share them: meant for one run at a time. A probe
 * started while another is open does not reset the peaks (that would erase the open probe's peak); it reports the
 * peak since the earlier reset instead, flagged as not since its own start unless the process had not been higher
 * before. Close every probe (try-with-resources), or a forgotten one keeps later probes from resetting. The reset
 * also clears the pages' soft-dirty bits, which the JVM and libtorch do not use.
 */
public final class MemoryProbe implements AutoCloseable {
    /** Probes open in this JVM; only a probe that is alone may reset the process-wide peaks. */
    private static final AtomicInteger OPEN_PROBES = new AtomicInteger();

    private final ProcessMemory memory;
    private final List<MemoryPoolMXBean> heapPools;
    private final long baselineRssBytes;
    private final boolean rssPeakIsSinceProbeStart;
    private final long baselineHeapBytes;
    private final boolean heapPeakIsSinceProbeStart;
    private final boolean resetPeaks;
    private final AtomicBoolean open = new AtomicBoolean(true);

    private MemoryProbe(ProcessMemory memory, List<MemoryPoolMXBean> heapPools, long baselineRssBytes,
            boolean rssPeakIsSinceProbeStart, long baselineHeapBytes, boolean heapPeakIsSinceProbeStart,
            boolean resetPeaks) {
        this.memory = memory;
        this.heapPools = heapPools;
        this.baselineRssBytes = baselineRssBytes;
        this.rssPeakIsSinceProbeStart = rssPeakIsSinceProbeStart;
        this.baselineHeapBytes = baselineHeapBytes;
        this.heapPeakIsSinceProbeStart = heapPeakIsSinceProbeStart;
        this.resetPeaks = resetPeaks;
    }

    /** Starts measuring this process: resets the peaks where it can and reads the baselines. */
    public static MemoryProbe start() {
        return start(ProcessMemory.self());
    }

    /** As {@link #start()}, reading memory figures from the given source (a fake {@code /proc} in tests). */
    static MemoryProbe start(ProcessMemory memory) {
        boolean alone = OPEN_PROBES.getAndIncrement() == 0;
        try {
            List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                    .filter(pool -> pool.getType() == MemoryType.HEAP && pool.isValid())
                    .toList();
            boolean rssReset = alone && memory.resetPeakResident();
            if (alone) {
                heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
            }

            ProcessMemory.Status status = memory.status();
            // Without a reset the kernel's peak still covers only this span if the process was never higher before.
            boolean rssPeakIsSinceProbeStart = rssReset
                    || (status.residentBytes() >= 0 && status.peakResidentBytes() >= 0
                            && status.peakResidentBytes() <= status.residentBytes());

            long heapUsed = 0;
            boolean heapPeaksAreCurrent = true;
            for (MemoryPoolMXBean pool : heapPools) {
                MemoryUsage usage = pool.getUsage();
                MemoryUsage peak = pool.getPeakUsage();
                if (usage != null && peak != null) {
                    heapUsed += usage.getUsed();
                    heapPeaksAreCurrent &= peak.getUsed() <= usage.getUsed();
                }
            }
            return new MemoryProbe(memory, heapPools, status.residentBytes(), rssPeakIsSinceProbeStart,
                    heapPools.isEmpty() ? -1 : heapUsed, alone || heapPeaksAreCurrent, alone);
        } catch (RuntimeException e) {
            OPEN_PROBES.decrementAndGet();
            throw e;
        }
    }

    /** Whether this probe reset the process-wide peaks at its start (false when another probe was open). */
    public boolean resetPeaks() {
        return resetPeaks;
    }

    /**
     * Reads the peaks reached since the start and closes the probe.
     *
     * @throws IllegalStateException when the probe was already finished or closed
     */
    public MemoryPeak finish() {
        if (!open.get()) {
            throw new IllegalStateException("this memory probe was already finished or closed");
        }
        ProcessMemory.Status status = memory.status();
        long peakRss = status.peakResidentBytes();
        if (peakRss >= 0) {
            // VmHWM lags: after the reset it is raised only when pages are unmapped, from per-CPU approximate
            // counters. Both resident sets the probe read itself are part of its span, so the peak is at least each.
            peakRss = Math.max(peakRss, Math.max(status.residentBytes(), baselineRssBytes));
        }
        long peakHeap = heapPools.isEmpty() ? -1 : 0;
        for (MemoryPoolMXBean pool : heapPools) {
            MemoryUsage peak = pool.getPeakUsage();
            if (peak != null) {
                peakHeap += peak.getUsed();
            }
        }
        close();
        return new MemoryPeak(baselineRssBytes, peakRss, rssPeakIsSinceProbeStart && peakRss >= 0,
                baselineHeapBytes, peakHeap, heapPeakIsSinceProbeStart && peakHeap >= 0);
    }

    /** Ends the probe without reading it, so later probes may reset the peaks again; idempotent. */
    @Override
    public void close() {
        if (open.compareAndSet(true, false)) {
            OPEN_PROBES.decrementAndGet();
        }
    }
}
