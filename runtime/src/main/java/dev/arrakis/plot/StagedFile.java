package dev.arrakis.plot;

import dev.arrakis.io.DurableFiles;
import dev.arrakis.plot.PlotRenderException.Problem;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written in full under a hidden temporary name beside its target, then moved into place, so that a crash
 * leaves the old file or the new one, never half of one. Writing several files stages them all before committing
 * any, so that bad input or a full disk leaves none of them changed.
 *
 * @param plotTitle names the plot in error messages
 * @param temporary the staged file
 * @param target where {@link #commit} moves it
 */
record StagedFile(String plotTitle, Path temporary, Path target) {

    /** Writes {@code content} next to {@code target}, flushed to disk, without touching {@code target} yet. */
    static StagedFile stage(String plotTitle, Path target, byte[] content) {
        Path directory = target.toAbsolutePath().getParent();
        Path temporary = DurableFiles.temporarySibling(target.toAbsolutePath());
        try {
            DurableFiles.writeNew(temporary, ByteBuffer.wrap(content));
        } catch (AccessDeniedException failure) {
            deleteQuietly(temporary);
            throw new PlotRenderException(plotTitle, Problem.UNWRITABLE_DIRECTORY,
                    "the output directory " + directory + " is not writable: " + failure, failure);
        } catch (IOException failure) {
            deleteQuietly(temporary);
            throw new PlotRenderException(plotTitle, Problem.WRITE_FAILED,
                    "writing " + target + " failed: " + failure, failure);
        }
        return new StagedFile(plotTitle, temporary, target);
    }

    /** Creates {@code directory} and its parents when missing, and checks that files can be written into it. */
    static void prepareDirectory(String plotTitle, Path directory) {
        if (Files.exists(directory) && !Files.isDirectory(directory)) {
            throw new PlotRenderException(plotTitle, Problem.UNWRITABLE_DIRECTORY,
                    "the output directory " + directory + " is not a directory");
        }
        try {
            Files.createDirectories(directory);
        } catch (IOException | SecurityException failure) {
            throw new PlotRenderException(plotTitle, Problem.UNWRITABLE_DIRECTORY,
                    "the output directory " + directory + " cannot be created: " + failure, failure);
        }
        if (!Files.isWritable(directory)) {
            throw new PlotRenderException(plotTitle, Problem.UNWRITABLE_DIRECTORY,
                    "the output directory " + directory + " is not writable");
        }
    }

    /** Moves the staged file over its target, atomically where the file system can. */
    void commit() {
        try {
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException notAtomic) {
                Files.move(temporary, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException failure) {
            throw new PlotRenderException(plotTitle, Problem.WRITE_FAILED,
                    "moving the finished file into place as " + target + " failed: " + failure, failure);
        }
    }

    /** Removes the temporary file if it is still there: after a commit it is not, after a failure it may be. */
    void discard() {
        deleteQuietly(temporary);
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // Best effort: the hidden temporary file is harmless and never mistaken for a plot.
        }
    }
}
