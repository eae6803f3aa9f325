package dev.arrakis.runs;

import dev.arrakis.io.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/** Files and directories that appear whole or not at all, and stay put after a crash. */
final class AtomicFiles {
    private AtomicFiles() {}

    /** Replaces the target whole ({@link DurableFiles#replace}) and makes the rename itself durable. */
    static void write(Path target, byte[] bytes) throws IOException {
        DurableFiles.replace(target, ByteBuffer.wrap(bytes));
        forceDirectory(target.getParent());
    }

    /**
     * Renames a directory into place. Fails rather than replaces when the target exists (rename(2) would replace an
     * empty directory, so existence is checked first; a run directory is never empty).
     *
     * @return false when the target exists
     */
    static boolean moveDirectory(Path source, Path target) throws IOException {
        if (Files.exists(target)) {
            return false;
        }
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
            return false;
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("the store's file system cannot rename " + source + " atomically", e);
        }
        forceDirectory(target.getParent());
        return true;
    }

    /** Makes a rename within the directory durable; a no-op where directories cannot be opened (Windows). */
    static void forceDirectory(Path directory) {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            // Not every platform can open a directory; the rename itself is still atomic there.
        }
    }

    /**
     * Forces the entries of a directory and of every directory below it, making the files' names durable; the files'
     * contents are forced by whoever wrote them.
     */
    static void forceDirectories(Path directory) throws IOException {
        try (var paths = Files.walk(directory)) {
            for (Path path : (Iterable<Path>) paths::iterator) {
                if (Files.isDirectory(path)) {
                    forceDirectory(path);
                }
            }
        }
    }
}
