package dev.arrakis.cli;

import dev.arrakis.runs.RunStore;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --store DIR} option of the commands that read or write runs. */
final class StoreOption {
    @Option(names = "--store", paramLabel = "DIR",
            description = "The run store (default: $" + RunStore.ENVIRONMENT_VARIABLE + ", else "
                    + RunStore.DEFAULT_DIRECTORY + " in the working directory).")
    Path directory;

    RunStore open() {
        return RunStore.open(directory != null ? directory : RunStore.defaultLocation());
    }
}
