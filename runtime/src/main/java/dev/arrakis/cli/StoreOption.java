package dev.arrakis.cli;

import dev.arrakis.runs.RunStore;
import dev.arrakis.runs.RunStoreException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --store DIR} option of the commands that read or write runs. */
final class StoreOption {
    @Option(names = "--store", paramLabel = "DIR",
            description = "The run store (default: $" + RunStore.ENVIRONMENT_VARIABLE + ", else "
                    + RunStore.DEFAULT_DIRECTORY + " in the working directory).")
    Path directory;

    /** The store to record into; its directory is made with the first run. */
    RunStore open() {
        return RunStore.open(directory != null ? directory : RunStore.defaultLocation());
    }

    /**
     * The store to read, which must exist: a missing store is an error that names its absolute path and what chose
     * it, since an empty answer from the wrong working directory looks just like a store with no runs.
     */
    RunStore openExisting() {
        Path location = directory != null ? directory : RunStore.defaultLocation();
        if (!Files.isDirectory(location)) {
            String origin = directory != null ? "from --store" : RunStore.defaultLocationOrigin();
            throw new RunStoreException("no run store at " + location.toAbsolutePath().normalize() + " (" + origin
                    + "); name the store with --store DIR or set " + RunStore.ENVIRONMENT_VARIABLE);
        }
        return RunStore.open(location);
    }
}
