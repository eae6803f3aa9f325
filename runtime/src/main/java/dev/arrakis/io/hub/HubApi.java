package dev.arrakis.io.hub;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The two hub calls a download needs. Network failures surface as {@link IOException}, answers other than success
 * as {@link HubStatusException}, so that the resolver alone decides what to tell the user.
 */
interface HubApi {

    /** The commit that {@code revision} (a branch, tag or commit) points at, and the repo's files at that commit. */
    RepoRevision revision(RepoId repo, String revision) throws IOException, InterruptedException;

    /** Opens one file of the repo at a commit, following redirects; the caller closes it. */
    FileDownload open(RepoId repo, String commit, String file) throws IOException, InterruptedException;

    /**
     * @param commit the full commit hash
     * @param files every file's path within the repo ({@code rfilename} in the hub's answer)
     */
    record RepoRevision(String commit, List<String> files) {
        public RepoRevision {
            files = List.copyOf(files);
        }
    }

    /**
     * @param etag the hub's content id for the file, when it sent one: the LFS sha256 for large files, the git blob
     *     id for small ones; never quoted, never weak
     * @param size how many bytes the file has, as the hub announced it for a large file (its X-Linked-Size) or
     *     else as the answer's Content-Length, when either was sent
     * @param content the file's bytes, still on the wire
     */
    record FileDownload(Optional<String> etag, OptionalLong size, InputStream content) implements Closeable {
        @Override
        public void close() throws IOException {
            content.close();
        }
    }
}
