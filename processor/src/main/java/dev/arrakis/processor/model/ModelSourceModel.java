package dev.arrakis.processor.model;

import dev.arrakis.spec.ModelConfig;
import java.nio.file.Path;

/**
 * The model an experiment names, resolved at build time.
 *
 * @param knownName the catalogue name, or null
 * @param configPath the config path as written in {@code @Experiment(config)}, or null
 * @param projectDir the absolute directory a relative {@code configPath} was found under, or null
 * @param shape the shape the experiment was checked against
 */
public record ModelSourceModel(String knownName, String configPath, Path projectDir, ModelConfig shape) {

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
