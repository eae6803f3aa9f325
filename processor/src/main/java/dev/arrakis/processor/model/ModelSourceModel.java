package dev.arrakis.processor.model;

import dev.arrakis.spec.ModelConfig;

/**
 * The model an experiment names, resolved at build time.
 *
 * @param knownName the catalogue name, or null
 * @param configPath the config path as written in {@code @Experiment(config)}, or null
 * @param shape the shape the experiment was checked against
 */
public record ModelSourceModel(String knownName, String configPath, ModelConfig shape) {

    public ModelSourceModel {
        if ((knownName == null) == (configPath == null)) {
            throw new IllegalArgumentException("exactly one of knownName and configPath");
        }
    }

    /** What messages call the model: the catalogue name or the config path. */
    public String displayName() {
        return knownName != null ? knownName : configPath;
    }
}
