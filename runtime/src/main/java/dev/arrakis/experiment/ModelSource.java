package dev.arrakis.experiment;

/**
 * Where an experiment's model comes from: a catalogue name (loaded from its hub repository) or a {@code config.json}
 * path relative to the project (the checkpoint in the same directory is loaded).
 *
 * @param knownName the catalogue name, or null
 * @param configPath the config path as written in {@code @Experiment(config)}, or null
 */
public record ModelSource(String knownName, String configPath) {

    public ModelSource {
        if ((knownName == null) == (configPath == null)) {
            throw new IllegalArgumentException("exactly one of knownName and configPath");
        }
    }

    public static ModelSource known(String name) {
        return new ModelSource(name, null);
    }

    public static ModelSource config(String path) {
        return new ModelSource(null, path);
    }

    /** What messages call the model: the catalogue name or the config path. */
    public String displayName() {
        return knownName != null ? knownName : configPath;
    }
}
