package dev.arrakis.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The /proc readings, against each other and against fake files. */
class ProcessMemoryTest {
    private static final long MB = 1024 * 1024;

    @Test
    void statmAndStatusAgreeOnTheResidentSet() {
        ProcessMemory memory = ProcessMemory.self();
        assumeTrue(Files.isReadable(Path.of("/proc/self/statm")), "no /proc here");
        long fromStatm = memory.residentBytes();
        ProcessMemory.Status status = memory.status();
        assertTrue(fromStatm > 10 * MB, "a JVM is resident for more than 10 MB: " + fromStatm);
        assertTrue(Math.abs(fromStatm - status.residentBytes()) < 32 * MB,
                "statm " + fromStatm / MB + " MB vs status " + status.residentBytes() / MB + " MB");
        // One snapshot: the kernel reports VmHWM as at least the VmRSS it computes for the same read.
        assertTrue(status.peakResidentBytes() >= status.residentBytes(), status.toString());
    }

    /**
     * Sampling inside forward passes must not open a file per read (about ten times the cost of a positional read of
     * an open one, measured by {@code ProfilerOverheadBenchmark}): a statm file removed after the first read is still
     * read, through the channel kept open, and a rewrite in place is seen, since each read starts at offset 0.
     */
    @Test
    void statmIsOpenedOnceAndReadFromTheStartEachTime(@TempDir Path proc) throws IOException {
        Path statm = proc.resolve("statm");
        Files.writeString(statm, "1000 250 20 1 0 100 0\n");
        ProcessMemory memory = new ProcessMemory(proc);
        assertEquals(250 * 4096L, memory.residentBytes(), "no smaps, so 4 kB pages");
        Files.writeString(statm, "1000 300 20 1 0 100 0\n");
        assertEquals(300 * 4096L, memory.residentBytes(), "rewritten in place");
        Files.delete(statm);
        assertEquals(300 * 4096L, memory.residentBytes(), "removed, but still open");
    }

    @Test
    void readsFakeFilesInPagesAndKilobytes(@TempDir Path proc) throws IOException {
        Files.writeString(proc.resolve("statm"), "1000 250 20 1 0 100 0\n");
        Files.writeString(proc.resolve("smaps"), "00400000-00452000 r-xp 00000000 08:02 173521 /bin/x\n"
                + "Size:                328 kB\nKernelPageSize:       64 kB\nMMUPageSize:          64 kB\n");
        Files.writeString(proc.resolve("status"), "Name:\tjava\nVmPeak:\t 5 kB\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n");
        ProcessMemory memory = new ProcessMemory(proc);
        assertEquals(250 * 64 * 1024L, memory.residentBytes());
        assertEquals(new ProcessMemory.Status(1024 * 1024L, 2048 * 1024L), memory.status());
    }

    @Test
    void missingOrMalformedFilesGiveMinusOne(@TempDir Path proc) throws IOException {
        ProcessMemory missing = new ProcessMemory(proc);
        assertEquals(-1, missing.residentBytes());
        assertEquals(new ProcessMemory.Status(-1, -1), missing.status());
        assertFalse(missing.resetPeakResident(), "no clear_refs in " + proc);

        Files.writeString(proc.resolve("statm"), "garbage");
        Files.writeString(proc.resolve("status"), "VmRSS:\tlots\n");
        ProcessMemory malformed = new ProcessMemory(proc);
        assertEquals(-1, malformed.residentBytes());
        assertEquals(new ProcessMemory.Status(-1, -1), malformed.status());
    }
}
