package dev.arrakis.model;

import java.util.List;
import java.util.TreeSet;

/** The families Arrakis can load, looked up by a checkpoint's {@code model_type}. */
public final class ModelFamilies {
    private static final List<ModelFamily> FAMILIES = List.of(new Gpt2Family());

    private ModelFamilies() {}

    public static ModelFamily forModelType(String modelType, ConfigReader config) {
        if (modelType == null) {
            throw new ModelLoadException("model config " + config.file() + " has no 'model_type'; supported: "
                    + supportedModelTypes());
        }
        return FAMILIES.stream()
                .filter(family -> family.modelTypes().contains(modelType))
                .findFirst()
                .orElseThrow(() -> new ModelLoadException("model config " + config.file() + ": model_type '"
                        + modelType + "' is not supported; supported: " + supportedModelTypes()));
    }

    public static TreeSet<String> supportedModelTypes() {
        TreeSet<String> types = new TreeSet<>();
        FAMILIES.forEach(family -> types.addAll(family.modelTypes()));
        return types;
    }
}
