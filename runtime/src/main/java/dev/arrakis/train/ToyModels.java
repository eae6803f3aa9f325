package dev.arrakis.train;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.io.DurableFiles;
import dev.arrakis.io.Json;
import dev.arrakis.io.SafetensorsWriter;
import dev.arrakis.io.TensorData;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TransformerWeights;
import dev.arrakis.spec.Architecture;
import dev.arrakis.spec.ConfigReader;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.ModelDescription;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * Small GPT-2-family models to train from scratch: created with seeded random weights, and saved as an HF GPT-2
 * checkpoint ({@code config.json} plus {@code model.safetensors}) that {@link HookedTransformer#load(Path)} and HF
 * transformers both read.
 *
 * <p>The initialisation is GPT-2's scheme ({@code GPT2PreTrainedModel._init_weights}) at TransformerLens's scale:
 * every matrix and embedding normal(0, std) with std = 0.8 / sqrt(d_model) (TransformerLens's default
 * {@code initializer_range}; 0.029 for GPT-2 small's 768, where GPT-2 uses 0.02, and 0.1 for d_model 64), the
 * residual-writing projections ({@code attn.c_proj}, {@code mlp.c_proj}) further scaled by 1/sqrt(2 * layers),
 * biases zero, LayerNorm gains one. GPT-2's fixed 0.02 is too small for narrow models: the induction toy then
 * lingers far longer on its loss plateau. The unembedding is a separate matrix
 * ({@code tie_word_embeddings: false}): gradients reach the weights the forward pass reads, and a tied unembedding is
 * a transposed copy made at load. Numbers come from {@link java.util.Random}, whose Gaussian is specified by the
 * JDK, so a seed gives the same weights on every machine.
 */
public final class ToyModels {

    private static final String LM_HEAD = "lm_head.weight";

    private ToyModels() {}

    /**
     * A GPT-2-style config with learned positions, LayerNorm, the tanh GELU and {@code d_head = d_model / heads}.
     *
     * @throws IllegalArgumentException naming the value that is not positive, or heads that do not divide d_model
     */
    public static ModelConfig gpt2(int layers, int heads, int dModel, int dMlp, int vocabSize, int contextLength) {
        return gpt2(layers, heads, dModel, dMlp, vocabSize, contextLength, Architecture.Activation.GELU_TANH);
    }

    /** As {@link #gpt2(int, int, int, int, int, int)} with another MLP activation (ReLU for modular addition). */
    public static ModelConfig gpt2(int layers, int heads, int dModel, int dMlp, int vocabSize, int contextLength,
            Architecture.Activation activation) {
        if (heads <= 0 || dModel % heads != 0) {
            throw new IllegalArgumentException("heads (" + heads + ") must divide dModel (" + dModel + ")");
        }
        return ModelConfig.builder("gpt2").layers(layers).heads(heads).kvHeads(heads).dModel(dModel)
                .dHead(dModel / heads).dMlp(dMlp).vocabSize(vocabSize).contextLength(contextLength).normEps(1e-5)
                .architecture(Architecture.gpt2Style(activation)).build();
    }

    /** TransformerLens's default initialisation scale, 0.8 / sqrt(d_model). */
    public static double defaultInitStd(ModelConfig config) {
        return 0.8 / Math.sqrt(config.dModel());
    }

    /** A model of this shape with random weights (see above); the same seed gives the same weights. */
    public static HookedTransformer create(ModelConfig config, long seed) {
        return create(config, seed, defaultInitStd(config));
    }

    /**
     * As {@link #create(ModelConfig, long)} with another standard deviation for the matrices and embeddings (GPT-2's
     * own is 0.02); the residual projections still get it divided by sqrt(2 * layers).
     */
    public static HookedTransformer create(ModelConfig config, long seed, double initStd) {
        if (!(initStd > 0) || Double.isInfinite(initStd)) {
            throw new IllegalArgumentException("initStd must be positive and finite, got " + initStd);
        }
        Map<String, Object> hfConfig = hfConfig(config);
        ModelDescription description = ConfigShapes.describe(new ConfigReader(hfConfig, "a " + config.modelType()
                + " config built in memory"));
        return HookedTransformer.create(description, new InMemoryWeights(randomTensors(config, seed, initStd)));
    }

    /**
     * Sets every MLP weight and bias to zero, so the MLPs add nothing to the residual stream. Trained with these
     * weights frozen ({@code Trainer.builder().freeze(ToyModels::isMlpWeight)}) the model stays attention-only, as
     * TransformerLens's canonical toys are, while remaining an ordinary GPT-2 checkpoint.
     */
    public static void zeroMlps(HookedTransformer model) {
        model.weights().all().forEach((name, weight) -> {
            if (isMlpWeight(name)) {
                weight.muli(0);
            }
        });
    }

    /** Whether a canonical weight name ({@code blocks.0.mlp.W_in}) belongs to an MLP. */
    public static boolean isMlpWeight(String name) {
        return name.contains(".mlp.");
    }

    /**
     * Whether a canonical weight name is a bias ({@code blocks.0.attn.b_Q}) or a LayerNorm's gain or bias
     * ({@code blocks.0.ln1.w}, {@code ln_final.b}). Frozen at their initial 0 and 1, the norms only normalise and no
     * bias is learned: the nearest a GPT-2 block comes to Nanda et al.'s bias-free, norm-free grokking model.
     */
    public static boolean isBiasOrNormWeight(String name) {
        int dot = name.lastIndexOf('.');
        String last = name.substring(dot + 1);
        String owner = name.substring(name.lastIndexOf('.', dot - 1) + 1, dot);
        return last.startsWith("b_") || owner.startsWith("ln");
    }

    /**
     * Writes the model as an HF GPT-2 checkpoint: {@code config.json} and {@code model.safetensors} in
     * {@code directory} (created if needed), each replaced atomically.
     */
    public static void save(HookedTransformer model, Path directory) {
        Map<String, TensorData> tensors = hfTensors(model.config(), model.weights());
        try {
            Files.createDirectories(directory);
            byte[] json = Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(hfConfig(model.config()))
                    .getBytes(StandardCharsets.UTF_8);
            DurableFiles.replace(directory.resolve(CheckpointFiles.CONFIG_FILE), ByteBuffer.wrap(json));
        } catch (IOException e) {
            throw new ArrakisException("cannot write a checkpoint to " + directory + ": " + e.getMessage(), e);
        }
        SafetensorsWriter.write(directory.resolve(CheckpointFiles.SINGLE_FILE), asSavedByHf(tensors),
                Map.of("format", "pt"));
    }

    /**
     * The names HF's {@code GPT2LMHeadModel.save_pretrained} writes: the base model's tensors under
     * {@code transformer.}, the head at the top. HF's {@code from_pretrained} refuses a file that has the head beside
     * unprefixed base tensors as corrupted; Arrakis reads either.
     */
    private static Map<String, TensorData> asSavedByHf(Map<String, TensorData> tensors) {
        Map<String, TensorData> named = new LinkedHashMap<>();
        tensors.forEach((name, tensor) -> named.put(name.equals(LM_HEAD) ? name : "transformer." + name, tensor));
        return named;
    }

    /** The {@code config.json} of GPT-2's HF configuration for this shape. */
    static Map<String, Object> hfConfig(ModelConfig config) {
        requireGpt2(config);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model_type", "gpt2");
        json.put("architectures", new String[] {"GPT2LMHeadModel"});
        json.put("n_layer", config.layers());
        json.put("n_head", config.heads());
        json.put("n_embd", config.dModel());
        json.put("n_inner", config.dMlp());
        json.put("vocab_size", config.vocabSize());
        json.put("n_positions", config.contextLength());
        json.put("layer_norm_epsilon", config.normEps());
        json.put("activation_function", activationName(config.architecture().activation()));
        json.put("tie_word_embeddings", false);
        json.put("scale_attn_weights", true);
        json.put("attn_pdrop", 0.0);
        json.put("embd_pdrop", 0.0);
        json.put("resid_pdrop", 0.0);
        json.put("dtype", "float32");
        return json;
    }

    private static void requireGpt2(ModelConfig config) {
        if (!config.modelType().equals("gpt2")
                || !config.architecture().equals(Architecture.gpt2Style(config.architecture().activation()))
                || config.kvHeads() != config.heads() || config.heads() * config.dHead() != config.dModel()) {
            throw new ArrakisException("toy models are GPT-2 shaped (model type gpt2, learned positions, LayerNorm,"
                    + " kv heads = heads, heads x d_head = d_model); got " + config);
        }
    }

    private static String activationName(Architecture.Activation activation) {
        return switch (activation) {
            case GELU_TANH -> "gelu_new";
            case GELU_EXACT -> "gelu";
            case RELU -> "relu";
            case SILU -> "silu";
        };
    }

    /** GPT-2's tensors, in HF's names and layout, with GPT-2's initialisation. */
    static Map<String, TensorData> randomTensors(ModelConfig config, long seed, double std) {
        requireGpt2(config);
        Random random = new Random(seed);
        int d = config.dModel();
        double residualStd = std / Math.sqrt(2.0 * config.layers());
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("wte.weight", normal(random, std, config.vocabSize(), d));
        tensors.put("wpe.weight", normal(random, std, config.contextLength(), d));
        for (int layer = 0; layer < config.layers(); layer++) {
            String h = "h." + layer + ".";
            tensors.put(h + "ln_1.weight", constant(1f, d));
            tensors.put(h + "ln_1.bias", constant(0f, d));
            tensors.put(h + "attn.c_attn.weight", normal(random, std, d, 3 * d));
            tensors.put(h + "attn.c_attn.bias", constant(0f, 3 * d));
            tensors.put(h + "attn.c_proj.weight", normal(random, residualStd, d, d));
            tensors.put(h + "attn.c_proj.bias", constant(0f, d));
            tensors.put(h + "ln_2.weight", constant(1f, d));
            tensors.put(h + "ln_2.bias", constant(0f, d));
            tensors.put(h + "mlp.c_fc.weight", normal(random, std, d, config.dMlp()));
            tensors.put(h + "mlp.c_fc.bias", constant(0f, config.dMlp()));
            tensors.put(h + "mlp.c_proj.weight", normal(random, residualStd, config.dMlp(), d));
            tensors.put(h + "mlp.c_proj.bias", constant(0f, d));
        }
        tensors.put("ln_f.weight", constant(1f, d));
        tensors.put("ln_f.bias", constant(0f, d));
        tensors.put(LM_HEAD, normal(random, std, config.vocabSize(), d));
        return tensors;
    }

    /**
     * The model's current weights in HF GPT-2 layout: the inverse of the GPT-2 family's load rules (Q, K and V side by
     * side in {@code c_attn}, the unembedding stored {@code [vocab, d_model]} as {@code lm_head.weight}).
     */
    static Map<String, TensorData> hfTensors(ModelConfig config, TransformerWeights weights) {
        requireGpt2(config);
        int d = config.dModel();
        Map<String, TensorData> tensors = new LinkedHashMap<>();
        tensors.put("wte.weight", copy(weights.embedding()));
        tensors.put("wpe.weight", copy(weights.positionEmbedding()));
        for (int layer = 0; layer < config.layers(); layer++) {
            String h = "h." + layer + ".";
            TransformerWeights.Block block = weights.block(layer);
            tensors.put(h + "ln_1.weight", copy(block.ln1Weight()));
            tensors.put(h + "ln_1.bias", copy(block.ln1Bias()));
            tensors.put(h + "attn.c_attn.weight", TensorData.f32(new long[] {d, 3L * d}, sideBySide(d,
                    block.queryWeight(), block.keyWeight(), block.valueWeight())));
            tensors.put(h + "attn.c_attn.bias", TensorData.f32(new long[] {3L * d}, sideBySide(1,
                    block.queryBias(), block.keyBias(), block.valueBias())));
            tensors.put(h + "attn.c_proj.weight", copy(block.outputWeight()));
            tensors.put(h + "attn.c_proj.bias", copy(block.outputBias()));
            tensors.put(h + "ln_2.weight", copy(block.ln2Weight()));
            tensors.put(h + "ln_2.bias", copy(block.ln2Bias()));
            tensors.put(h + "mlp.c_fc.weight", copy(block.mlpInWeight()));
            tensors.put(h + "mlp.c_fc.bias", copy(block.mlpInBias()));
            tensors.put(h + "mlp.c_proj.weight", copy(block.mlpOutWeight()));
            tensors.put(h + "mlp.c_proj.bias", copy(block.mlpOutBias()));
        }
        tensors.put("ln_f.weight", copy(weights.lnFinalWeight()));
        tensors.put("ln_f.bias", copy(weights.lnFinalBias()));
        NDArray unembedding = weights.unembedding();
        try (NDArray transposed = unembedding.transpose()) {
            tensors.put(LM_HEAD, copy(transposed));
        }
        return tensors;
    }

    private static TensorData copy(NDArray array) {
        return TensorData.f32(array.getShape().getShape(), array.toFloatArray());
    }

    /** Row-major matrices of {@code rows} rows each, joined along their columns. */
    private static float[] sideBySide(int rows, NDArray... parts) {
        float[][] values = new float[parts.length][];
        int width = 0;
        for (int part = 0; part < parts.length; part++) {
            values[part] = parts[part].toFloatArray();
            width += values[part].length / rows;
        }
        float[] joined = new float[rows * width];
        int at = 0;
        for (int row = 0; row < rows; row++) {
            for (float[] part : values) {
                int partWidth = part.length / rows;
                System.arraycopy(part, row * partWidth, joined, at, partWidth);
                at += partWidth;
            }
        }
        return joined;
    }

    private static TensorData normal(Random random, double std, int rows, int columns) {
        float[] values = new float[rows * columns];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (random.nextGaussian() * std);
        }
        return TensorData.f32(new long[] {rows, columns}, values);
    }

    private static TensorData constant(float value, int length) {
        float[] values = new float[length];
        java.util.Arrays.fill(values, value);
        return TensorData.f32(new long[] {length}, values);
    }
}
