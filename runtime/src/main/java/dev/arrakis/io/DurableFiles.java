package dev.arrakis.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/** Files written whole and forced to disk, so that a crash leaves the old file or the new one, never half of one. */
public final class DurableFiles {
    private DurableFiles() {}

    /**
     * A hidden, unused name beside {@code target}: on the same file system, which is what makes renaming it over the
     * target atomic. Named by hand because {@code Files.createTempFile} would give it, and so the final file,
     * owner-only permissions.
     */
    public static Path temporarySibling(Path target) {
        return target.resolveSibling("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
    }

    /** Creates {@code file}, which must not exist, writes the buffers in order and forces them to disk. */
    public static void writeNew(Path file, ByteBuffer... contents) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            for (ByteBuffer content : contents) {
                while (content.hasRemaining()) {
                    channel.write(content);
                }
            }
            channel.force(true);
        }
    }

    /**
     * Writes the buffers to a {@linkplain #temporarySibling temporary sibling}, forces it to disk and renames it over
     * {@code target}: a reader sees the previous file or the complete new one. The temporary file is removed when
     * anything fails.
     */
    public static void replace(Path target, ByteBuffer... contents) throws IOException {
        Path temporary = temporarySibling(target);
        try {
            writeNew(temporary, contents);
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException cleanupFailure) {
                e.addSuppressed(cleanupFailure);
            }
            throw e;
        }
    }
}
