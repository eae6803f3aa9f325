package dev.arrakis.model;

import dev.arrakis.spec.ModelConfig;
import java.util.List;

/** The families Arrakis can load, looked up by the {@code model_type} of a parsed config. */
public final class ModelFamilies {
    private static final List<ModelFamily> FAMILIES =
            List.of(new Gpt2Family(), new GptNeoFamily(), new GptNeoXFamily(), new LlamaStyleFamily());

    private ModelFamilies() {}

    public static ModelFamily forConfig(ModelConfig config) {
        return FAMILIES.stream()
                .filter(family -> family.modelTypes().contains(config.modelType()))
                .findFirst()
                .orElseThrow(() -> new ModelLoadException("model_type '" + config.modelType()
                        + "' has a known shape but no weight loader yet"));
    }
}
