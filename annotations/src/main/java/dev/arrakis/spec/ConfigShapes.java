package dev.arrakis.spec;

import static dev.arrakis.spec.Architecture.Normalization.LAYER_NORM;
import static dev.arrakis.spec.Architecture.Normalization.RMS_NORM;
import static dev.arrakis.spec.Architecture.Positional.ROTARY;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * How each family's {@code config.json} maps to a {@link ModelDescription}. This is the one place a config is
 * interpreted: the runtime reads a checkpoint's config through it and the annotation processor reads an
 * experiment's config through it, so build-time validation sees exactly the shape the model will load with. Keys
 * and defaults are those of the family's HF {@code configuration_*.py}.
 */
public final class ConfigShapes {
    private static final Map<String, Function<ConfigReader, ModelDescription>> BY_MODEL_TYPE = Map.of(
            "gpt2", ConfigShapes::gpt2,
            "gpt_neo", ConfigShapes::gptNeo,
            "gpt_neox", ConfigShapes::gptNeoX,
            "llama", config -> llamaLike(config, LlamaVariant.LLAMA),
            "mistral", config -> llamaLike(config, LlamaVariant.MISTRAL),
            "qwen2", config -> llamaLike(config, LlamaVariant.QWEN2),
            "gemma", config -> llamaLike(config, LlamaVariant.GEMMA),
            "gemma2", config -> llamaLike(config, LlamaVariant.GEMMA2),
            "phi3", config -> llamaLike(config, LlamaVariant.PHI3),
            "stablelm", config -> llamaLike(config, LlamaVariant.STABLELM));

    /** Far beyond the deepest published models (under 200 layers), and still cheap to describe layer by layer. */
    public static final int MAX_LAYERS = 10_000;

    private static final List<String> ACTIVATIONS =
            List.of("gelu_new", "gelu_pytorch_tanh", "gelu_fast", "gelu", "relu", "silu", "swish");

    private ConfigShapes() {}

    /** The shape a config describes, dispatched on its {@code model_type}. */
    public static ModelConfig parse(ConfigReader config) {
        return describe(config).config();
    }

    /** The shape and the forward pass's numbers a config describes, dispatched on its {@code model_type}. */
    public static ModelDescription describe(ConfigReader config) {
        String modelType = config.string("model_type", null);
        if (modelType == null) {
            throw config.problem("no 'model_type'; supported: " + supportedModelTypes());
        }
        Function<ConfigReader, ModelDescription> parser = BY_MODEL_TYPE.get(modelType);
        if (parser == null) {
            throw config.problem("model_type '" + modelType + "' is not supported; supported: "
                    + supportedModelTypes());
        }
        try {
            return parser.apply(config);
        } catch (IllegalArgumentException e) {
            throw config.problem(e.getMessage());
        }
    }

    public static TreeSet<String> supportedModelTypes() {
        return new TreeSet<>(BY_MODEL_TYPE.keySet());
    }

    private static ModelDescription gpt2(ConfigReader config) {
        int dModel = config.requiredInt("n_embd");
        int heads = divisibleHeads(config, dModel, "n_embd", config.requiredInt("n_head"), "n_head");
        int layers = layers(config, "n_layer");
        ModelConfig shape = new ModelConfig("gpt2", layers, heads, heads, dModel, dModel / heads,
                config.integer("n_inner", 4 * dModel), config.requiredInt("vocab_size"),
                config.requiredInt("n_positions"), config.number("layer_norm_epsilon", 1e-5),
                Architecture.gpt2Style(activation(config, "activation_function", "gelu_new")));
        Numerics numerics = Numerics.standard(layers, dModel / heads, null)
                .withAttentionScale(config.bool("scale_attn_weights", true) ? Math.sqrt(dModel / heads) : 1)
                .withScaleAttentionByInverseLayer(config.bool("scale_attn_by_inverse_layer_idx", false));
        return new ModelDescription(shape, numerics, config.bool("tie_word_embeddings", true));
    }

    /** GPT-Neo: GPT-2's block with unscaled attention, and local (windowed) attention on the layers that say so. */
    private static ModelDescription gptNeo(ConfigReader config) {
        int dModel = config.requiredInt("hidden_size");
        int heads = divisibleHeads(config, dModel, "hidden_size", config.requiredInt("num_heads"), "num_heads");
        int layers = layers(config, "num_layers");
        ModelConfig shape = new ModelConfig("gpt_neo", layers, heads, heads, dModel, dModel / heads,
                config.integer("intermediate_size", 4 * dModel), config.requiredInt("vocab_size"),
                config.requiredInt("max_position_embeddings"), config.number("layer_norm_epsilon", 1e-5),
                Architecture.gpt2Style(activation(config, "activation_function", "gelu_new")));
        int window = config.integer("window_size", 256);
        List<Integer> windows = new ArrayList<>();
        for (String type : gptNeoAttentionLayers(config, layers)) {
            windows.add(switch (type) {
                case "global" -> 0;
                case "local" -> window;
                default -> throw config.problem("attention type '" + type + "' is neither 'global' nor 'local'");
            });
        }
        Numerics numerics = Numerics.standard(layers, dModel / heads, null)
                .withAttentionScale(1)
                .withAttentionWindows(windows);
        return new ModelDescription(shape, numerics, config.bool("tie_word_embeddings", true));
    }

    /** {@code attention_types} is a list of [[type, ...], repeat] pairs, expanded in order to one type per layer. */
    private static List<String> gptNeoAttentionLayers(ConfigReader config, int layers) {
        List<?> groups = config.list("attention_types");
        if (groups == null) {
            return java.util.Collections.nCopies(layers, "global");
        }
        List<String> types = new ArrayList<>();
        for (Object group : groups) {
            if (!(group instanceof List<?> pair) || pair.size() != 2 || !(pair.get(0) instanceof List<?> names)
                    || names.isEmpty() || !(pair.get(1) instanceof Integer || pair.get(1) instanceof Long)
                    || ((Number) pair.get(1)).longValue() < 0) {
                throw config.problem("'attention_types' must hold [[type, ...], count] pairs, got " + group);
            }
            long repeat = ((Number) pair.get(1)).longValue();
            // Expanding stops as soon as there are more types than layers, however large the count claims to be.
            for (long i = 0; i < repeat && types.size() <= layers; i++) {
                names.forEach(name -> types.add(String.valueOf(name)));
            }
            if (types.size() > layers) {
                throw config.problem("'attention_types' gives more than " + layers + " layers but num_layers is "
                        + layers);
            }
        }
        if (types.size() != layers) {
            throw config.problem("'attention_types' gives " + types.size() + " layers but num_layers is " + layers);
        }
        return types;
    }

    /** GPT-NeoX and Pythia: LayerNorm, partial rotary, and attention and MLP in parallel unless told otherwise. */
    private static ModelDescription gptNeoX(ConfigReader config) {
        int dModel = config.requiredInt("hidden_size");
        int heads = divisibleHeads(config, dModel, "hidden_size", config.requiredInt("num_attention_heads"),
                "num_attention_heads");
        int layers = layers(config, "num_hidden_layers");
        int dHead = dModel / heads;
        int contextLength = config.requiredInt("max_position_embeddings");
        Architecture architecture = new Architecture(LAYER_NORM, ROTARY, activation(config, "hidden_act", "gelu"),
                config.bool("use_parallel_residual", true), false, false);
        double fraction = config.number("partial_rotary_factor", config.number("rotary_pct", 0.25));
        double theta = config.number("rope_theta", config.number("rotary_emb_base", 10000));
        Rotary rotary = rotary(config, dHead, fraction, theta, contextLength);
        ModelConfig shape = new ModelConfig("gpt_neox", layers, heads, heads, dModel, dHead,
                config.requiredInt("intermediate_size"), config.requiredInt("vocab_size"),
                extendedContext(contextLength, rotary), config.number("layer_norm_eps", 1e-5), architecture);
        return new ModelDescription(shape, Numerics.standard(layers, dHead, rotary),
                config.bool("tie_word_embeddings", false));
    }

    /** The LLaMA descendants: what each changes of LLaMA's config keys and block. */
    private enum LlamaVariant {
        LLAMA("llama"),
        MISTRAL("mistral"),
        QWEN2("qwen2"),
        GEMMA("gemma"),
        GEMMA2("gemma2"),
        PHI3("phi3"),
        STABLELM("stablelm");

        final String modelType;

        LlamaVariant(String modelType) {
            this.modelType = modelType;
        }
    }

    private static ModelDescription llamaLike(ConfigReader config, LlamaVariant variant) {
        int dModel = config.requiredInt("hidden_size");
        int heads = config.requiredInt("num_attention_heads");
        int layers = layers(config, "num_hidden_layers");
        int dHead = config.has("head_dim") ? config.integer("head_dim", 0)
                : dModel / divisibleHeads(config, dModel, "hidden_size", heads, "num_attention_heads");
        int kvHeads = config.integer("num_key_value_heads", heads);
        int contextLength = config.requiredInt("max_position_embeddings");
        if (variant == LlamaVariant.STABLELM && config.bool("qk_layernorm", false)) {
            throw config.problem("'qk_layernorm' true (per-head query and key norms) is not supported");
        }
        Architecture architecture = Architecture.llamaStyle(switch (variant) {
            // HF's GemmaMLP reads hidden_act and ignores hidden_activation (modeling_gemma.py, transformers 4.57)
            case GEMMA -> activation(config, "hidden_act", "gelu_pytorch_tanh");
            case GEMMA2 -> activation(config, "hidden_activation", "gelu_pytorch_tanh");
            default -> activation(config, "hidden_act", "silu");
        });
        double eps;
        if (variant == LlamaVariant.STABLELM) {
            architecture = architecture.withNormalization(LAYER_NORM)
                    .withParallelAttentionMlp(config.bool("use_parallel_residual", false));
            eps = config.number("layer_norm_eps", 1e-5);
        } else {
            eps = config.number("rms_norm_eps", variant == LlamaVariant.GEMMA || variant == LlamaVariant.GEMMA2
                    ? 1e-6 : 1e-5);
        }
        if (variant == LlamaVariant.GEMMA2) {
            architecture = architecture.withPostNorms(true);
        }
        double fraction = config.number("partial_rotary_factor", variant == LlamaVariant.STABLELM ? 0.25 : 1.0);
        Rotary rotary = rotary(config, dHead, fraction, config.number("rope_theta", 10000), contextLength);
        ModelConfig shape = new ModelConfig(variant.modelType, layers, heads, kvHeads, dModel, dHead,
                config.requiredInt("intermediate_size"), config.requiredInt("vocab_size"),
                extendedContext(contextLength, rotary), eps, architecture);
        Numerics numerics = Numerics.standard(layers, dHead, rotary)
                .withAttentionWindows(slidingWindows(config, variant, layers));
        if (variant == LlamaVariant.GEMMA || variant == LlamaVariant.GEMMA2) {
            numerics = numerics.withEmbeddingMultiplier(Math.sqrt(dModel));
        }
        if (variant == LlamaVariant.GEMMA2) {
            numerics = numerics
                    .withAttentionScale(Math.sqrt(config.number("query_pre_attn_scalar", 256)))
                    .withSoftcaps(config.number("attn_logit_softcapping", 0), config.number("final_logit_softcapping", 0));
        }
        boolean tiedByDefault = variant == LlamaVariant.GEMMA || variant == LlamaVariant.GEMMA2;
        return new ModelDescription(shape, numerics, config.bool("tie_word_embeddings", tiedByDefault));
    }

    /**
     * Which layers use a sliding window: {@code layer_types} when the config lists them (what HF 4.5x writes),
     * otherwise the family's own rule, as its configuration class derives {@code layer_types}.
     */
    private static List<Integer> slidingWindows(ConfigReader config, LlamaVariant variant, int layers) {
        int window = config.integer("sliding_window", 0);
        List<String> types = config.strings("layer_types");
        if (types != null) {
            if (types.size() != layers) {
                throw config.problem("'layer_types' lists " + types.size() + " layers but num_hidden_layers is "
                        + layers);
            }
            return types.stream().map(type -> switch (type) {
                case "sliding_attention" -> window;
                case "full_attention" -> 0;
                default -> throw config.problem("layer type '" + type + "' is not supported (sliding_attention and"
                        + " full_attention are)");
            }).toList();
        }
        List<Integer> windows = new ArrayList<>();
        for (int layer = 0; layer < layers; layer++) {
            windows.add(switch (variant) {
                case MISTRAL, PHI3 -> window;
                case GEMMA2 -> layer % 2 == 0 ? config.integer("sliding_window", 4096) : 0;
                case QWEN2 -> config.bool("use_sliding_window", false)
                        && layer >= config.integer("max_window_layers", layers) ? window : 0;
                default -> 0;
            });
        }
        return windows;
    }

    private static Rotary rotary(ConfigReader config, int dHead, double fraction, double theta, int contextLength) {
        int dimensions = (int) (dHead * fraction);
        ConfigReader scaling = config.child("rope_scaling");
        if (scaling == null) {
            return new Rotary(dimensions, theta, new Rotary.Unscaled());
        }
        String type = scaling.string("rope_type", scaling.string("type", "default"));
        Rotary.Scaling parsed = switch (type) {
            case "default" -> new Rotary.Unscaled();
            case "linear" -> new Rotary.Linear(positiveFactor(scaling));
            case "dynamic" -> new Rotary.DynamicNtk(positiveFactor(scaling), contextLength);
            case "llama3" -> new Rotary.Llama3(positiveFactor(scaling), required(scaling, "low_freq_factor"),
                    required(scaling, "high_freq_factor"), scaling.requiredInt("original_max_position_embeddings"));
            case "longrope" -> longRope(config, scaling, dimensions, contextLength);
            case "yarn" -> yarn(scaling, contextLength);
            default -> throw scaling.problem("rope type '" + type + "' is not supported (default, linear, dynamic,"
                    + " llama3, longrope and yarn are)");
        };
        return new Rotary(dimensions, theta, parsed);
    }

    /** HF's {@code _compute_longrope_parameters}: the factor is the context's growth when both lengths are given. */
    private static Rotary.LongRope longRope(ConfigReader config, ConfigReader scaling, int dimensions,
            int contextLength) {
        int original = config.integer("original_max_position_embeddings", 0);
        double factor = original > 0 ? (double) contextLength / original : scaling.number("factor", 1);
        if (original <= 0) {
            original = contextLength;
        }
        double attentionFactor = scaling.number("attention_factor",
                factor <= 1 ? 1 : Math.sqrt(1 + Math.log(factor) / Math.log(original)));
        List<Double> shortFactors = scaling.numbers("short_factor");
        List<Double> longFactors = scaling.numbers("long_factor");
        for (List<Double> factors : java.util.Arrays.asList(shortFactors, longFactors)) {
            if (factors == null || factors.size() != dimensions / 2) {
                throw scaling.problem("'short_factor' and 'long_factor' need " + dimensions / 2
                        + " numbers each (half the rotary dimensions), got " + (factors == null ? "none"
                        : factors.size()));
            }
        }
        // Each frequency is divided by its factor.
        requirePositive(scaling, "short_factor", shortFactors);
        requirePositive(scaling, "long_factor", longFactors);
        return new Rotary.LongRope(shortFactors, longFactors, original, attentionFactor);
    }

    /** HF's {@code _compute_yarn_parameters}, with its defaults (beta_fast 32, beta_slow 1, truncate true). */
    private static Rotary.Yarn yarn(ConfigReader scaling, int contextLength) {
        double factor = positiveFactor(scaling);
        double attentionFactor;
        if (scaling.has("attention_factor")) {
            attentionFactor = scaling.number("attention_factor", 1);
        } else if (scaling.number("mscale", 0) != 0 && scaling.number("mscale_all_dim", 0) != 0) {
            attentionFactor = yarnMscale(factor, scaling.number("mscale", 0))
                    / yarnMscale(factor, scaling.number("mscale_all_dim", 0));
        } else {
            attentionFactor = yarnMscale(factor, 1);
        }
        // 0 (or absent) means HF's default; below it the correction dimensions take the logarithm of a negative.
        double betaFast = scaling.number("beta_fast", 0);
        double betaSlow = scaling.number("beta_slow", 0);
        int original = scaling.integer("original_max_position_embeddings", 0);
        requirePositive(scaling, "beta_fast", List.of(betaFast == 0 ? 32 : betaFast));
        requirePositive(scaling, "beta_slow", List.of(betaSlow == 0 ? 1 : betaSlow));
        requirePositive(scaling, "original_max_position_embeddings", List.of(original == 0 ? 1.0 : original));
        return new Rotary.Yarn(factor, attentionFactor, betaFast == 0 ? 32 : betaFast, betaSlow == 0 ? 1 : betaSlow,
                original == 0 ? contextLength : original, scaling.bool("truncate", true));
    }

    private static double yarnMscale(double factor, double mscale) {
        return factor <= 1 ? 1 : 0.1 * mscale * Math.log(factor) + 1;
    }

    /**
     * Dynamic NTK scaling exists to run past the trained context: up to {@code factor} times it. YaRN configs often
     * keep {@code max_position_embeddings} at the original context; the scaled one is the original times the factor.
     */
    private static int extendedContext(int contextLength, Rotary rotary) {
        if (rotary.scaling() instanceof Rotary.DynamicNtk dynamic) {
            return (int) Math.min(Integer.MAX_VALUE, (long) (contextLength * dynamic.factor()));
        }
        if (rotary.scaling() instanceof Rotary.Yarn yarn) {
            return (int) Math.min(Integer.MAX_VALUE,
                    Math.max(contextLength, (long) (yarn.originalContext() * yarn.factor())));
        }
        return contextLength;
    }

    private static void requirePositive(ConfigReader scaling, String key, List<Double> values) {
        if (values.stream().anyMatch(value -> !(value > 0))) {
            throw scaling.problem("'" + key + "' must be positive, got " + (values.size() == 1 ? values.get(0)
                    : values));
        }
    }

    private static double positiveFactor(ConfigReader scaling) {
        double factor = required(scaling, "factor");
        if (!(factor >= 1)) {
            throw scaling.problem("'factor' must be at least 1, got " + factor);
        }
        return factor;
    }

    private static double required(ConfigReader config, String key) {
        if (!config.has(key)) {
            throw config.problem("no '" + key + "'");
        }
        return config.number(key, 0);
    }

    /**
     * A layer count, refused beyond {@link #MAX_LAYERS} before anything per layer is built: a config is untrusted, and
     * the description, the weight rules and the caches all hold something per layer.
     */
    private static int layers(ConfigReader config, String key) {
        int layers = config.requiredInt(key);
        if (layers > MAX_LAYERS) {
            throw config.problem("'" + key + "' is " + layers + "; Arrakis loads models of at most " + MAX_LAYERS
                    + " layers");
        }
        return layers;
    }

    private static int divisibleHeads(ConfigReader config, int width, String widthKey, int heads, String headsKey) {
        if (heads <= 0 || width % heads != 0) {
            throw config.problem(widthKey + " (" + width + ") is not divisible by " + headsKey + " (" + heads + ")");
        }
        return heads;
    }

    private static Architecture.Activation activation(ConfigReader config, String key, String fallback) {
        String name = config.string(key, fallback);
        return switch (name) {
            case "gelu_new", "gelu_pytorch_tanh", "gelu_fast" -> Architecture.Activation.GELU_TANH;
            case "gelu" -> Architecture.Activation.GELU_EXACT;
            case "relu" -> Architecture.Activation.RELU;
            case "silu", "swish" -> Architecture.Activation.SILU;
            default -> throw config.problem("'" + key + "' '" + name + "' is not supported ("
                    + String.join(", ", ACTIVATIONS) + " are)");
        };
    }
}
