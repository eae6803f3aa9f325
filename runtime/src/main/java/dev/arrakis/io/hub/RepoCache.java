package dev.arrakis.io.hub;

import dev.arrakis.io.CheckpointFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.regex.Pattern;

/**
 * One repo's folder in the huggingface_hub cache layout: {@code blobs/<etag>} holds each file's bytes once,
 * {@code snapshots/<commit>/<file>} links to the blobs, and {@code refs/<branch>} names a commit.
 *
 * <p>Nothing appears under its final name until it is complete: files are written under a fresh
 * {@code *.incomplete} name and renamed atomically, so a crash or a concurrent download never leaves a torn file
 * where a reader would trust it, and the leftovers of a crash are simply never looked at.
 *
 * <p>Nothing the hub names leaves the repo's folder: file names and commits must be plain relative paths, an etag
 * that is a path is refused, and the folder's directories are never written through a symbolic link; a file a
 * snapshot links to outside the folder is refused rather than read. A blob named by a sha256 is checked against it,
 * and every blob against the length the hub announced, before it gets its name.
 */
final class RepoCache {

    private static final Pattern SAFE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    /** An LFS file's etag: the sha256 of its content, which is what the blob's bytes are checked against. */
    private static final Pattern SHA256 = Pattern.compile("[0-9a-fA-F]{64}");
    /** What would make an etag a path rather than one name, on any platform ({@code C:x} is one on Windows). */
    private static final Pattern PATH_SYNTAX = Pattern.compile("[/\\\\:\\x00]|^\\.\\.?$");
    private static final String INCOMPLETE_SUFFIX = ".incomplete";
    private static final int BUFFER_BYTES = 1 << 16;

    private final RepoId repo;
    private final Path root;

    RepoCache(Path cacheDir, RepoId repo) {
        this.repo = repo;
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

    /** Whether {@code path} is safe names joined by {@code /}, so that it stays below where it is resolved. */
    static boolean isSafeRelativePath(String path) {
        for (String segment : path.split("/", -1)) {
            if (!isSafeName(segment)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The snapshot {@code refs/main} names if it has a config, else the most recently modified snapshot that has
     * one; a snapshot without a config is one whose download did not finish.
     *
     * @throws HubException when a file of that snapshot leads out of the repo's folder
     */
    Optional<Path> findSnapshot() throws IOException {
        Optional<Path> found = findCompleteSnapshot();
        if (found.isPresent()) {
            requireInsideTree(found.get());
        }
        return found;
    }

    private Optional<Path> findCompleteSnapshot() throws IOException {
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

    /**
     * Whether a file of the snapshot is already there, complete; a link that leads nowhere is not (the download
     * replaces it).
     *
     * @throws HubException when the file leads out of the repo's folder
     */
    boolean hasFile(String commit, String file) throws IOException {
        Path path = snapshotFile(commit, file);
        if (!Files.exists(path)) {
            return false;
        }
        requireInside(path);
        return Files.isRegularFile(path);
    }

    /**
     * Streams a download into {@code blobs/}, named by its etag when that is a usable name and by the content's
     * sha256 otherwise, and returns the blob. A blob already there under the etag is kept and the download left
     * unread. The bytes are checked before the blob gets its name: their count against the length the hub announced,
     * and their sha256 against an etag that is one; a download that fails a check is deleted.
     *
     * @throws HubException when the etag is a path, the announced length does not fit on the disk, or a check fails
     * @throws IOException when the download breaks off or the cache cannot be written
     */
    Path storeBlob(String file, HubApi.FileDownload download) throws IOException {
        Optional<String> name = blobName(file, download.etag());
        Path blobs = directoryInside(root.resolve("blobs"));
        if (name.isPresent() && Files.isRegularFile(blobs.resolve(name.get()), LinkOption.NOFOLLOW_LINKS)) {
            // A blob's name stands for its content, so the blob there stays: a hub sending other bytes under the
            // same name must not change what a snapshot already linked to it holds.
            return blobs.resolve(name.get());
        }
        requireSpace(file, blobs, download.size());
        MessageDigest sha256 = sha256();
        Path partial = incompleteSibling(blobs.resolve("blob"));
        try {
            long received;
            try (OutputStream out = new DigestOutputStream(
                    Files.newOutputStream(partial, StandardOpenOption.CREATE_NEW), sha256)) {
                received = copy(file, download, out);
            }
            String actual = HexFormat.of().formatHex(sha256.digest());
            if (download.size().isPresent() && received != download.size().getAsLong()) {
                throw new HubException("'" + file + "' of repo '" + repo + "' ended after " + received + " of "
                        + download.size().getAsLong() + " bytes the hub announced; the download was discarded");
            }
            if (name.isPresent() && SHA256.matcher(name.get()).matches() && !name.get().equalsIgnoreCase(actual)) {
                throw new HubException("The bytes of '" + file + "' in repo '" + repo + "' are not the file the hub"
                        + " named: expected sha256 " + name.get() + ", got sha256 " + actual + " (" + received
                        + " bytes); the download was discarded and nothing was linked");
            }
            Path blob = blobs.resolve(name.orElse(actual));
            moveAtomically(partial, blob);
            return blob;
        } finally {
            Files.deleteIfExists(partial);
        }
    }

    /** The blob's name: the etag if it is a usable name, else empty (named by content); refused if it is a path. */
    private Optional<String> blobName(String file, Optional<String> etag) {
        if (etag.isEmpty()) {
            return Optional.empty();
        }
        if (PATH_SYNTAX.matcher(etag.get()).find()) {
            throw new HubException("The hub named the blob of '" + file + "' in repo '" + repo + "' by the etag '"
                    + etag.get() + "', which is a path, not a name; refusing to download it");
        }
        // Other unusual characters (some CDNs send base64 etags) are no way out of the cache, but no name
        // huggingface_hub would give either: the content's sha256 names such a blob.
        return etag.filter(RepoCache::isSafeName);
    }

    private void requireSpace(String file, Path blobs, OptionalLong announced) throws IOException {
        if (announced.isEmpty()) {
            return;
        }
        long free = Files.getFileStore(blobs).getUsableSpace();
        if (announced.getAsLong() > free) {
            throw new HubException("'" + file + "' of repo '" + repo + "' is announced as " + announced.getAsLong()
                    + " bytes, but " + blobs + " has only " + free + " bytes free; nothing was written");
        }
    }

    /** Copies the download, never more than its announced length, and returns how many bytes came. */
    private long copy(String file, HubApi.FileDownload download, OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER_BYTES];
        long received = 0;
        String of = download.size().isPresent() ? " of " + download.size().getAsLong() : "";
        try {
            for (int count; (count = download.content().read(buffer)) != -1; ) {
                received += count;
                if (download.size().isPresent() && received > download.size().getAsLong()) {
                    throw new HubException("'" + file + "' of repo '" + repo + "' went on past the "
                            + download.size().getAsLong() + " bytes the hub announced; the download was discarded");
                }
                out.write(buffer, 0, count);
            }
        } catch (IOException e) {
            throw new IOException("the download of '" + file + "' broke off after " + received + of + " bytes", e);
        }
        return received;
    }

    /**
     * Makes {@code snapshots/<commit>/<file>} a relative symbolic link to {@code blob}, as huggingface_hub does, or a
     * copy of it where the file system or the user may not create links (Windows without developer mode).
     */
    void linkIntoSnapshot(String commit, String file, Path blob) throws IOException {
        Path target = snapshotFile(commit, file);
        directoryInside(target.getParent());
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
        Path target = directoryInside(root.resolve("refs")).resolve(ref);
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

    /** The only way a name from the hub becomes a path in the snapshot. */
    private Path snapshotFile(String commit, String file) {
        if (!isSafeName(commit) || !isSafeRelativePath(file)) {
            throw new HubException("'" + file + "' at commit '" + commit + "' of repo '" + repo + "' is not a plain"
                    + " relative path inside the snapshot");
        }
        return snapshotDir(commit).resolve(file);
    }

    /**
     * Creates {@code directory} (below the repo's folder) and its parents, refusing to go through a symbolic link:
     * huggingface_hub never makes one there, so one is planted, and writing through it would write elsewhere. The
     * repo's folder itself may be a link, as when a cache was moved to another disk.
     */
    private Path directoryInside(Path directory) throws IOException {
        Files.createDirectories(root);
        Path current = root;
        for (Path part : root.relativize(directory)) {
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw new HubException(current + " is a symbolic link (to " + Files.readSymbolicLink(current)
                        + ") in the cache folder of repo '" + repo + "', where huggingface_hub makes none; refusing"
                        + " to write through it");
            }
            try {
                Files.createDirectory(current);
            } catch (FileAlreadyExistsException e) {
                if (!Files.isDirectory(current, LinkOption.NOFOLLOW_LINKS)) {
                    throw e;
                }
            }
        }
        return directory;
    }

    /** Refuses an existing path of the repo's folder that resolves, through links, to somewhere outside it. */
    private void requireInside(Path path) throws IOException {
        Path resolved = path.toRealPath();
        if (!resolved.startsWith(root.toRealPath())) {
            throw new HubException(path + (Files.isSymbolicLink(path) ? " is a symbolic link to "
                    + Files.readSymbolicLink(path) + ", which" : "") + " resolves to " + resolved
                    + ", outside the cache folder " + root + " of repo '" + repo + "'; refusing to use it (delete it"
                    + " to have it downloaded again)");
        }
    }

    /** {@link #requireInside} for a snapshot and every file in it; links that lead nowhere are left to the loader. */
    private void requireInsideTree(Path snapshot) throws IOException {
        requireInside(snapshot);
        try (Stream<Path> entries = Files.walk(snapshot)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (Files.exists(entry)) {
                    requireInside(entry);
                }
            }
        }
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
