package dev.arrakis.io.hub;

import dev.arrakis.io.CheckpointFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One repo's folder in the huggingface_hub cache layout: {@code blobs/<etag>} holds each file's bytes once,
 * {@code snapshots/<commit>/<file>} links to the blobs, and {@code refs/<branch>} names a commit.
 *
 * <p>Nothing appears under its final name until it is complete: files are written under a fresh
 * {@code *.incomplete} name and renamed atomically, so a crash or a concurrent download never leaves a torn file
 * where a reader would trust it, and the leftovers of a crash are simply never looked at.
 */
final class RepoCache {


    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final String INCOMPLETE_SUFFIX = ".incomplete";

    private final Path root;

    RepoCache(Path cacheDir, RepoId repo) {
        this.root = cacheDir.resolve(repo.cacheFolderName());
    }

    Path root() {
        return root;
    }

    Path snapshotDir(String commit) {
        return root.resolve("snapshots").resolve(commit);
    }

    /** Whether {@code name} can be used as one path segment of the cache without escaping or ambiguity. */
    static boolean isSafeName(String name) {
        return SAFE_NAME.matcher(name).matches() && !name.endsWith(INCOMPLETE_SUFFIX);
    }

    /**
     * The snapshot {@code refs/main} names if it has a config, else the most recently modified snapshot that has
     * one; a snapshot without a config is one whose download did not finish.
     */
    Optional<Path> findSnapshot() throws IOException {
        Optional<Path> fromRef = readRef("main").map(this::snapshotDir).filter(RepoCache::hasConfig);
        if (fromRef.isPresent()) {
            return fromRef;
        }
        Path snapshots = root.resolve("snapshots");
        if (!Files.isDirectory(snapshots)) {
            return Optional.empty();
        }
        Path newest = null;
        FileTime newestTime = null;
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(snapshots)) {
            for (Path candidate : candidates) {
                if (hasConfig(candidate)) {
                    FileTime modified = Files.getLastModifiedTime(candidate);
                    if (newest == null || modified.compareTo(newestTime) > 0) {
                        newest = candidate;
                        newestTime = modified;
                    }
                }
            }
        }
        return Optional.ofNullable(newest);
    }

    /** Whether a file of the snapshot is already there, complete. */
    boolean hasFile(String commit, String file) {
        return Files.isRegularFile(snapshotDir(commit).resolve(file));
    }

    /**
     * Streams {@code content} into {@code blobs/}, named by {@code etag} when it is usable and by the content's
     * sha256 otherwise, and returns the blob.
     */
    Path storeBlob(InputStream content, Optional<String> etag) throws IOException {
        Path blobs = Files.createDirectories(root.resolve("blobs"));
        Optional<String> usableEtag = etag.filter(RepoCache::isSafeName);
        MessageDigest sha256 = sha256();
        Path partial = incompleteSibling(blobs.resolve("blob"));
        try {
            try (OutputStream file = Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW);
                    OutputStream out = usableEtag.isPresent() ? file : new DigestOutputStream(file, sha256)) {
                content.transferTo(out);
            }
            Path blob = blobs.resolve(usableEtag.orElseGet(() -> HexFormat.of().formatHex(sha256.digest())));
            moveAtomically(partial, blob);
            return blob;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /**
     * Makes {@code snapshots/<commit>/<file>} a relative symbolic link to {@code blob}, as huggingface_hub does, or a
     * copy of it where the file system or the user may not create links (Windows without developer mode).
     */
    void linkIntoSnapshot(String commit, String file, Path blob) throws IOException {
        Path target = snapshotDir(commit).resolve(file);
        Files.createDirectories(target.getParent());
        Path pending = incompleteSibling(target);
        try {
            try {
                Files.createSymbolicLink(pending, target.getParent().relativize(blob));
            } catch (UnsupportedOperationException | FileSystemException e) {
                Files.copy(blob, pending);
            }
            moveAtomically(pending, target);
        } finally {
            Files.deleteIfExists(pending);
        }
    }

    /** Points {@code refs/<ref>} at {@code commit}. */
    void writeRef(String ref, String commit) throws IOException {
        Path target = Files.createDirectories(root.resolve("refs")).resolve(ref);
        Path pending = incompleteSibling(target);
        try {
            // huggingface_hub writes the bare hash, without a newline.
            Files.writeString(pending, commit, StandardCharsets.US_ASCII, StandardOpenOption.CREATE_NEW);
            moveAtomically(pending, target);
        } finally {
            Files.deleteIfExists(pending);
        }
    }

    private Optional<String> readRef(String ref) throws IOException {
        Path file = root.resolve("refs").resolve(ref);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(Files.readString(file, StandardCharsets.US_ASCII).trim()).filter(RepoCache::isSafeName);
    }

    private static boolean hasConfig(Path snapshot) {
        return Files.isRegularFile(snapshot.resolve(CheckpointFiles.CONFIG_FILE));
    }

    // Not Files.createTempFile: it makes owner-only files, and a cache shared by a team must stay readable.
    private static Path incompleteSibling(Path target) {
        return target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + INCOMPLETE_SUFFIX);
    }

    private static void moveAtomically(Path source, Path target) throws IOException {
        try {
            Files.move(source, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(source, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
