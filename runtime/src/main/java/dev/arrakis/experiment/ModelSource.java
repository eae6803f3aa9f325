package dev.arrakis.experiment;

import java.nio.file.Path;

/**
 * Where an experiment's model comes from: a catalogue name (loaded from its hub repository) or a {@code config.json}
 * path (the checkpoint in the same directory is loaded).
 *
 * <p>A relative config path belongs to the experiment's project, not to the directory a run is started from: the
 * annotation processor records the directory it found the config under ({@code arrakis.projectDir}, or the directory
 * above the source file that holds it), and a run looks there first
 * ({@link dev.arrakis.engine.ExperimentRunner#model()}).
 *
 * @param knownName the catalogue name, or null
 * @param configPath the config path as written in {@code @Experiment(config)}, or null
 * @param projectDir the absolute directory the build resolved {@code configPath} against, or null when unknown (a
 *     catalogue model, an absolute config path, or a definition written by hand)
 */
public record ModelSource(String knownName, String configPath, Path projectDir) {

    public ModelSource {
        if ((knownName == null) == (configPath == null)) {
            throw new IllegalArgumentException("exactly one of knownName and configPath");
        }
        if (projectDir != null && configPath == null) {
            throw new IllegalArgumentException("a project directory belongs to a config path, not to " + knownName);
        }
    }

    public static ModelSource known(String name) {
        return new ModelSource(name, null, null);
    }

    /** A config path to be resolved against the working directory or the runner's project directory. */
    public static ModelSource config(String path) {
        return new ModelSource(null, path, null);
    }

    /** A config path the build found under {@code projectDir}, as generated runners name their model. */
    public static ModelSource config(String path, String projectDir) {
        return new ModelSource(null, path, Path.of(projectDir));
    }

    /** What messages call the model: the catalogue name or the config path. */
    public String displayName() {
        return knownName != null ? knownName : configPath;
    }
}
