package dev.arrakis.io.hub;

import dev.arrakis.io.CheckpointFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;
import java.util.function.Consumer;

/** Downloads the checkpoint files of one repo's {@code main} branch into the cache, as huggingface_hub lays them out. */
final class SnapshotDownloader {

    private static final String BRANCH = "main";

    private final HubApi api;
    private final RepoCache cache;
    private final Consumer<String> progress;

    SnapshotDownloader(HubApi api, RepoCache cache, Consumer<String> progress) {
        this.api = api;
        this.cache = cache;
        this.progress = progress;
    }

    /** Downloads what is missing and returns the snapshot directory. */
    Path download(RepoId repo) throws IOException, InterruptedException {
        HubApi.RepoRevision revision = api.revision(repo, BRANCH);
        String commit = revision.commit();
        if (!RepoCache.isSafeName(commit)) {
            throw new HubException("The hub named commit '" + commit + "' for repo '" + repo
                    + "', which is not a commit hash");
        }
        Set<String> repoFiles = Set.copyOf(revision.files());
        for (String file : RepoFiles.select(repo, repoFiles)) {
            fetch(repo, commit, file);
            if (file.equals(CheckpointFiles.INDEX_FILE)) {
                Path index = cache.snapshotDir(commit).resolve(file);
                for (String shard : RepoFiles.shards(repo, index, repoFiles)) {
                    fetch(repo, commit, shard);
                }
            }
        }
        cache.writeRef(BRANCH, commit);
        return cache.snapshotDir(commit);
    }

    // Each file is linked into the snapshot as soon as its blob is complete, so a retry after a crash resumes with
    // the files still missing.
    private void fetch(RepoId repo, String commit, String file) throws IOException, InterruptedException {
        if (cache.hasFile(commit, file)) {
            progress.accept(repo + ": " + file + " is already in the cache");
            return;
        }
        progress.accept(repo + ": downloading " + file);
        try (HubApi.FileDownload download = api.open(repo, commit, file)) {
            Path blob = cache.storeBlob(file, download);
            cache.linkIntoSnapshot(commit, file, blob);
        }
    }
}
