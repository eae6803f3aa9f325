package dev.arrakis.io.hub;

import dev.arrakis.io.CheckpointFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/** Which files of a repo make a checkpoint Arrakis can load, refusing repos whose weights it cannot read. */
final class RepoFiles {

    private static final List<String> OPTIONAL_FILES = List.of(
            "tokenizer.json", "tokenizer_config.json", "generation_config.json", "special_tokens_map.json");

    private RepoFiles() {}

    /**
     * The files to fetch, in order: the weights (or their index, whose shards come next), the tokenizer and
     * generation files the repo has, and the config last, because a snapshot with a config counts as complete.
     */
    static List<String> select(RepoId repo, Set<String> repoFiles) {
        if (!repoFiles.contains(CheckpointFiles.CONFIG_FILE)) {
            throw new HubException("Repo '" + repo + "' has no " + CheckpointFiles.CONFIG_FILE
                    + ", so it is not a transformers checkpoint Arrakis can load");
        }
        List<String> selection = new ArrayList<>();
        selection.add(weights(repo, repoFiles));
        OPTIONAL_FILES.stream().filter(repoFiles::contains).forEach(selection::add);
        selection.add(CheckpointFiles.CONFIG_FILE);
        return selection;
    }

    /** The shard files that a downloaded {@code model.safetensors.index.json} maps weights to, each in the repo. */
    static List<String> shards(RepoId repo, Path index, Set<String> repoFiles) {
        Set<String> shards = new TreeSet<>(CheckpointFiles.weightMap(index).values());
        if (shards.isEmpty()) {
            throw new HubException("The " + CheckpointFiles.INDEX_FILE + " of repo '" + repo + "' has no weight_map entries");
        }
        for (String shard : shards) {
            if (!RepoCache.isSafeRelativePath(shard)) {
                throw new HubException("The " + CheckpointFiles.INDEX_FILE + " of repo '" + repo + "' names shard '"
                        + shard + "', which is not a plain relative path inside the repo (no '.', '..', empty,"
                        + " absolute or backslashed parts)");
            }
            if (!repoFiles.contains(shard)) {
                throw new HubException("The " + CheckpointFiles.INDEX_FILE + " of repo '" + repo + "' names shard '"
                        + shard + "', which is not a file of the repo");
            }
        }
        return List.copyOf(shards);
    }

    private static String weights(RepoId repo, Set<String> repoFiles) {
        if (repoFiles.contains(CheckpointFiles.SINGLE_FILE)) {
            return CheckpointFiles.SINGLE_FILE;
        }
        if (repoFiles.contains(CheckpointFiles.INDEX_FILE)) {
            return CheckpointFiles.INDEX_FILE;
        }
        if (repoFiles.stream().anyMatch(CheckpointFiles::isPickleName)) {
            throw new HubException("Repo '" + repo + "' has its weights only as pytorch_model.bin, and Arrakis reads"
                    + " safetensors only (pickle files can run code when loaded). Convert them, e.g. with"
                    + " transformers: AutoModel.from_pretrained(dir).save_pretrained(out, safe_serialization=True),"
                    + " then pass the output directory instead of the repo name");
        }
        throw new HubException("Repo '" + repo + "' has neither " + CheckpointFiles.SINGLE_FILE + " nor " + CheckpointFiles.INDEX_FILE);
    }
}
