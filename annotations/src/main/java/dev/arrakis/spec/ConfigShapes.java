package dev.arrakis.spec;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How each family's {@code config.json} maps to a {@link ModelConfig}. This is the one place a config is
 * interpreted: the runtime reads a checkpoint's config through it and the annotation processor reads an
 * experiment's config through it, so build-time validation sees exactly the shape the model will load with.
 */
public final class ConfigShapes {
    private static final Map<String, Function<ConfigReader, ModelConfig>> BY_MODEL_TYPE =
            Map.of("gpt2", ConfigShapes::gpt2);

    private ConfigShapes() {}

    /** The shape a config describes, dispatched on its {@code model_type}. */
    public static ModelConfig parse(ConfigReader config) {
        String modelType = config.string("model_type", null);
        if (modelType == null) {
            throw config.problem("no 'model_type'; supported: " + supportedModelTypes());
        }
        Function<ConfigReader, ModelConfig> parser = BY_MODEL_TYPE.get(modelType);
        if (parser == null) {
            throw config.problem("model_type '" + modelType + "' is not supported; supported: "
                    + supportedModelTypes());
        }
        return parser.apply(config);
    }

    public static TreeSet<String> supportedModelTypes() {
        return new TreeSet<>(BY_MODEL_TYPE.keySet());
    }

    private static ModelConfig gpt2(ConfigReader config) {
        int dModel = config.requiredInt("n_embd");
        int heads = config.requiredInt("n_head");
        if (heads <= 0 || dModel % heads != 0) {
            throw config.problem("n_embd (" + dModel + ") is not divisible by n_head (" + heads + ")");
        }
        Architecture architecture = Architecture.gpt2Style(
                gpt2Activation(config),
                config.bool("scale_attn_weights", true),
                config.bool("scale_attn_by_inverse_layer_idx", false));
        try {
            return new ModelConfig(
                    "gpt2",
                    config.requiredInt("n_layer"),
                    heads,
                    heads,
                    dModel,
                    dModel / heads,
                    config.integer("n_inner", 4 * dModel),
                    config.requiredInt("vocab_size"),
                    config.requiredInt("n_positions"),
                    config.number("layer_norm_epsilon", 1e-5),
                    architecture);
        } catch (IllegalArgumentException e) {
            throw config.problem(e.getMessage());
        }
    }

    private static Architecture.Activation gpt2Activation(ConfigReader config) {
        String name = config.string("activation_function", "gelu_new");
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Architecture.Activation.GELU_TANH;
            case "gelu" -> Architecture.Activation.GELU_EXACT;
            case "relu" -> Architecture.Activation.RELU;
            default -> throw config.problem("activation_function '" + name + "' is not supported ("
                    + String.join(", ", List.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "relu"))
                    + " are)");
        };
    }
}
