package dev.arrakis.profile;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The process's resident memory as Linux reports it under {@code /proc/self}. Resident memory (RSS) is the figure
 * that shows libtorch: its CPU tensors live in native {@code malloc} memory, outside the JVM heap and outside
 * direct-buffer accounting, so only RSS sees them.
 *
 * <p>Every figure is {@code -1} where {@code /proc} does not provide it (not Linux, or a sandbox without it); nothing
 * here throws for a missing or unreadable file, because measuring must never fail a run.
 */
public final class ProcessMemory {
    /** Used where the kernel does not say: the page size of x86-64 and of most aarch64 kernels. */
    private static final long DEFAULT_PAGE_SIZE = 4096;
    private static final ProcessMemory SELF = new ProcessMemory(Path.of("/proc/self"));

    private final Path procSelf;
    private volatile long pageSize;
    /** {@code statm}'s line, at most seven numbers; also the lock for {@link #statm}. */
    private final ByteBuffer statmBuffer = ByteBuffer.allocate(256);
    /** Opened on first use and kept open for the life of this object (for {@link #self()}, of the process). */
    private FileChannel statm;

    /**
     * The current RSS and the kernel's peak RSS ({@code VmRSS} and {@code VmHWM}), read from one snapshot of
     * {@code /proc/self/status} so that they can be compared with each other.
     *
     * @param residentBytes the current resident set, or -1
     * @param peakResidentBytes the highest resident set since process start or the last {@link #resetPeakResident}
     *     (the "high water mark"), or -1
     */
    public record Status(long residentBytes, long peakResidentBytes) {}

    /** Package-private so tests can point it at a fake {@code /proc/self} to exercise the fallbacks. */
    ProcessMemory(Path procSelf) {
        this.procSelf = procSelf;
    }

    /** This process. */
    public static ProcessMemory self() {
        return SELF;
    }

    /**
     * The current resident set in bytes, or -1. Reads {@code /proc/self/statm}, through a file kept open: a
     * positional read of an open {@code /proc} file costs about a microsecond (the kernel regenerates it at offset
     * 0), opening the file each time about ten, and this is sampled inside forward passes.
     */
    public long residentBytes() {
        int length;
        synchronized (statmBuffer) {
            try {
                if (statm == null) {
                    statm = FileChannel.open(procSelf.resolve("statm"), StandardOpenOption.READ);
                }
                statmBuffer.clear();
                length = Math.max(0, statm.read(statmBuffer, 0));
            } catch (IOException | RuntimeException e) {
                closeStatm();
                return -1;
            }
            // statm is "size resident shared text lib data dt", in pages; parse the second number in place.
            byte[] text = statmBuffer.array();
            int i = 0;
            while (i < length && text[i] != ' ') {
                i++;
            }
            i++;
            long pages = 0;
            int digits = 0;
            for (; i < length && text[i] >= '0' && text[i] <= '9'; i++, digits++) {
                pages = pages * 10 + (text[i] - '0');
            }
            return digits == 0 ? -1 : pages * pageSize();
        }
    }

    private void closeStatm() {
        if (statm != null) {
            try {
                statm.close();
            } catch (IOException e) {
                // nothing to do: the next read reopens it
            }
            statm = null;
        }
    }

    /** {@code VmRSS} and {@code VmHWM} from one read of {@code /proc/self/status}; each -1 where absent. */
    public Status status() {
        String status;
        try {
            status = Files.readString(procSelf.resolve("status"), StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            return new Status(-1, -1);
        }
        return new Status(bytesOfKilobyteField(status, "VmRSS:"), bytesOfKilobyteField(status, "VmHWM:"));
    }

    /**
     * Resets the kernel's peak RSS ({@code VmHWM}) to the current RSS by writing {@code 5} to
     * {@code /proc/self/clear_refs} (Linux 4.0 and later). This also clears the pages' soft-dirty bits, which
     * nothing in this process uses.
     *
     * @return whether the kernel accepted the reset; false without {@code /proc}, on older kernels (which reject the
     *     value) and in sandboxes that do not implement the file
     */
    public boolean resetPeakResident() {
        // WRITE without CREATE: a missing clear_refs must fail rather than create a file (matters for fake /proc dirs).
        try {
            Files.write(procSelf.resolve("clear_refs"), new byte[] {'5'}, StandardOpenOption.WRITE);
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private long pageSize() {
        long size = pageSize;
        if (size == 0) {
            size = readPageSize();
            pageSize = size;
        }
        return size;
    }

    /** The kernel page size, from the first mapping in {@code smaps} (Java has no public API for it). */
    private long readPageSize() {
        try (BufferedReader smaps = Files.newBufferedReader(procSelf.resolve("smaps"), StandardCharsets.US_ASCII)) {
            for (String line = smaps.readLine(); line != null; line = smaps.readLine()) {
                if (line.startsWith("KernelPageSize:")) {
                    long bytes = bytesOfKilobyteField(line, "KernelPageSize:");
                    return bytes > 0 ? bytes : DEFAULT_PAGE_SIZE;
                }
            }
        } catch (IOException | RuntimeException e) {
            // fall through to the default
        }
        return DEFAULT_PAGE_SIZE;
    }

    /** The value of a {@code Name:   1234 kB} line, in bytes, or -1. */
    private static long bytesOfKilobyteField(String text, String name) {
        int at = text.startsWith(name) ? 0 : text.indexOf("\n" + name);
        if (at < 0) {
            return -1;
        }
        int i = text.indexOf(name, at) + name.length();
        while (i < text.length() && (text.charAt(i) == ' ' || text.charAt(i) == '\t')) {
            i++;
        }
        long kilobytes = 0;
        int digits = 0;
        for (; i < text.length() && Character.isDigit(text.charAt(i)); i++, digits++) {
            kilobytes = kilobytes * 10 + (text.charAt(i) - '0');
        }
        return digits == 0 ? -1 : kilobytes * 1024;
    }
}
