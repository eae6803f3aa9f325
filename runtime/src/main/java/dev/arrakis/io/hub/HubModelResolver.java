package dev.arrakis.io.hub;

import dev.arrakis.ArrakisException;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.spec.KnownModels;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Turns a model name such as {@code gpt2} or {@code EleutherAI/pythia-70m} into a local checkpoint directory the way
 * huggingface_hub does: a directory given as such is used as it is; otherwise the Hugging Face cache is consulted,
 * and on a miss the repo's config, safetensors weights and tokenizer files are downloaded into it. An unqualified
 * name the catalogue ({@link KnownModels}) knows, such as TransformerLens's {@code gpt2-small} or
 * {@code pythia-70m}, stands for the catalogue's repository.
 */
public final class HubModelResolver {

    private final HubSettings settings;
    private final Consumer<String> progress;
    private final HubApi api;

    /** A resolver that downloads silently. */
    public HubModelResolver(HubSettings settings) {
        this(settings, line -> {});
    }

    /** A resolver that reports each file it downloads or finds cached as one line to {@code progress}. */
    public HubModelResolver(HubSettings settings, Consumer<String> progress) {
        this(settings, progress, new HttpHubApi(settings));
    }

    HubModelResolver(HubSettings settings, Consumer<String> progress, HubApi api) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.api = Objects.requireNonNull(api, "api");
    }

    /**
     * The checkpoint directory for {@code nameOrDirectory}: that directory if it exists, else the cached snapshot of
     * the repo of that name, downloading it first when it is not cached.
     *
     * @throws ModelNotFoundException when the model is not local and could not be downloaded
     * @throws HubException when the repo or the cache holds something Arrakis cannot use
     * @throws ArrakisException when the argument is neither a directory nor a valid repo id, or is a directory
     *     without a config.json
     */
    public Path resolve(String nameOrDirectory) {
        Objects.requireNonNull(nameOrDirectory, "nameOrDirectory");
        Optional<Path> directory = existingDirectory(nameOrDirectory);
        if (directory.isPresent()) {
            return checkpointDirectory(directory.get());
        }
        Optional<String> catalogueRepo = catalogueRepo(nameOrDirectory);
        // An alias may be cached as typed already (a repo HF renamed is still cached under its old name).
        Optional<Path> cachedAsTyped = catalogueRepo.isPresent()
                ? findSnapshot(new RepoId(nameOrDirectory)) : Optional.empty();
        if (cachedAsTyped.isPresent()) {
            return cachedAsTyped.get();
        }
        RepoId repo = new RepoId(catalogueRepo.orElse(nameOrDirectory));
        RepoCache cache = new RepoCache(settings.cacheDir(), repo);
        Optional<Path> cached = findSnapshot(repo);
        if (cached.isPresent()) {
            return cached.get();
        }
        List<String> placesLooked = placesLooked(nameOrDirectory, cache);
        if (settings.offline()) {
            throw new ModelNotFoundException(nameOrDirectory, placesLooked,
                    "offline mode is on (HF_HUB_OFFLINE); unset it to let Arrakis download the model", null);
        }
        try {
            return new SnapshotDownloader(api, cache, progress).download(repo);
        } catch (IOException e) {
            throw new ModelNotFoundException(
                    nameOrDirectory, placesLooked, DownloadFailures.explain(e, settings), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HubException("Interrupted while downloading '" + repo + "' into " + cache.root(), e);
        }
    }

    /**
     * The hub repository of an unqualified name the catalogue knows under another spelling, such as TransformerLens's
     * {@code gpt2-small} or {@code pythia-70m} (EleutherAI/pythia-70m); empty for a qualified name ({@code org/name}),
     * which is used as typed, and for names outside the catalogue.
     */
    private static Optional<String> catalogueRepo(String name) {
        if (name.contains("/")) {
            return Optional.empty();
        }
        return KnownModels.find(name).map(KnownModels.KnownModel::hubRepo).filter(repo -> !repo.equals(name));
    }

    private static Optional<Path> existingDirectory(String argument) {
        if (argument.isBlank()) {
            return Optional.empty();
        }
        try {
            Path path = Path.of(argument);
            return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
        } catch (InvalidPathException e) {
            return Optional.empty();
        }
    }

    private static Path checkpointDirectory(Path directory) {
        Path absolute = directory.toAbsolutePath();
        CheckpointFiles.configFile(absolute);
        return absolute;
    }

    private Optional<Path> findSnapshot(RepoId repo) {
        RepoCache cache = new RepoCache(settings.cacheDir(), repo);
        try {
            return cache.findSnapshot();
        } catch (IOException e) {
            throw new HubException("Could not read the Hugging Face cache of '" + repo + "' at " + cache.root()
                    + ": " + DownloadFailures.describe(e), e);
        }
    }

    private static List<String> placesLooked(String argument, RepoCache cache) {
        List<String> places = new ArrayList<>();
        try {
            places.add(Path.of(argument).toAbsolutePath() + " (no such directory)");
        } catch (InvalidPathException e) {
            // Not a possible path on this platform, so there was no directory to look for.
        }
        places.add(cache.root() + " (the Hugging Face cache; no snapshot with a config.json)");
        return places;
    }
}
