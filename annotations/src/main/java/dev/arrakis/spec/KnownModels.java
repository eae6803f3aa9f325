package dev.arrakis.spec;

import static dev.arrakis.spec.Architecture.Activation.GELU_EXACT;
import static dev.arrakis.spec.Architecture.Activation.GELU_TANH;
import static dev.arrakis.spec.Architecture.Activation.SILU;
import static dev.arrakis.spec.Architecture.Normalization.LAYER_NORM;
import static dev.arrakis.spec.Architecture.Positional.ROTARY;

import dev.arrakis.util.DidYouMean;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The shapes of well-known models, so that {@code @Experiment(model = "gpt2")} can be checked at build time without
 * a download. The numbers are those of each model's published HF {@code config.json}.
 *
 * <p>A model answers to its catalogue name, its HF repository ({@code EleutherAI/pythia-70m}) and the aliases
 * TransformerLens gives it ({@code gpt2-small}; {@code transformer_lens/supported_models.py}, {@code MODEL_ALIASES}),
 * in any case, as TransformerLens matches them, so a name copied from a notebook works here too.
 */
public final class KnownModels {

    /**
     * @param name the name experiments use
     * @param hubRepo the HF repository the runtime loads it from
     * @param config its shape
     */
    public record KnownModel(String name, String hubRepo, ModelConfig config) {}

    private static final Map<String, KnownModel> MODELS = new LinkedHashMap<>();
    /** Every accepted spelling, as written, by its lower case form. */
    private static final Map<String, String> SPELLINGS = new LinkedHashMap<>();
    /** The catalogue name of the model each lower case spelling names. */
    private static final Map<String, String> CATALOGUE_NAMES = new LinkedHashMap<>();

    static {
        gpt2("gpt2", "gpt2", 12, 12, 768);
        gpt2("gpt2-medium", "gpt2-medium", 24, 16, 1024);
        gpt2("gpt2-large", "gpt2-large", 36, 20, 1280);
        gpt2("gpt2-xl", "gpt2-xl", 48, 25, 1600);
        pythia("pythia-70m", 6, 8, 512, 50304);
        pythia("pythia-160m", 12, 12, 768, 50304);
        pythia("pythia-410m", 24, 16, 1024, 50304);
        pythia("pythia-1b", 16, 8, 2048, 50304);
        pythia("pythia-1.4b", 24, 16, 2048, 50304);
        pythia("pythia-2.8b", 32, 32, 2560, 50304);
        pythia("pythia-6.9b", 32, 32, 4096, 50432);
        pythia("pythia-12b", 36, 40, 5120, 50688);
        add("gpt-neo-125M", "EleutherAI/gpt-neo-125m", new ModelConfig("gpt_neo", 12, 12, 12, 768, 64, 3072, 50257,
                2048, 1e-5, Architecture.gpt2Style(GELU_TANH)));
        Architecture llama = Architecture.llamaStyle(SILU);
        add("Llama-2-7b", "meta-llama/Llama-2-7b-hf",
                new ModelConfig("llama", 32, 32, 32, 4096, 128, 11008, 32000, 4096, 1e-5, llama));
        add("Mistral-7B", "mistralai/Mistral-7B-v0.1",
                new ModelConfig("mistral", 32, 32, 8, 4096, 128, 14336, 32000, 32768, 1e-5, llama));
        add("Qwen2-0.5B", "Qwen/Qwen2-0.5B",
                new ModelConfig("qwen2", 24, 14, 2, 896, 64, 4864, 151936, 131072, 1e-6, llama));
        add("Qwen2-1.5B", "Qwen/Qwen2-1.5B",
                new ModelConfig("qwen2", 28, 12, 2, 1536, 128, 8960, 151936, 131072, 1e-6, llama));
        Architecture gemma = Architecture.llamaStyle(GELU_TANH);
        add("gemma-2b", "google/gemma-2b",
                new ModelConfig("gemma", 18, 8, 1, 2048, 256, 16384, 256000, 8192, 1e-6, gemma));
        Architecture gemma2 = gemma.withPostNorms(true);
        add("gemma-2-2b", "google/gemma-2-2b",
                new ModelConfig("gemma2", 26, 8, 4, 2304, 256, 9216, 256000, 8192, 1e-6, gemma2));
        add("Phi-3-mini", "microsoft/Phi-3-mini-4k-instruct",
                new ModelConfig("phi3", 32, 32, 32, 3072, 96, 8192, 32064, 4096, 1e-5, llama));
        Architecture stablelm = llama.withNormalization(LAYER_NORM);
        add("stablelm-2-1_6b", "stabilityai/stablelm-2-1_6b",
                new ModelConfig("stablelm", 24, 32, 32, 2048, 64, 5632, 100352, 4096, 1e-5, stablelm));

        // TransformerLens's MODEL_ALIASES for these models, with the older Pythia names EleutherAI renamed.
        alias("gpt2", "gpt2-small");
        alias("pythia-70m", "pythia", "EleutherAI/pythia-19m", "pythia-19m");
        alias("pythia-160m", "EleutherAI/pythia-125m", "pythia-125m");
        alias("pythia-410m", "EleutherAI/pythia-350m", "pythia-350m");
        alias("pythia-1b", "EleutherAI/pythia-800m", "pythia-800m");
        alias("pythia-1.4b", "EleutherAI/pythia-1.3b", "pythia-1.3b");
        alias("pythia-2.8b", "EleutherAI/pythia-2.7b", "pythia-2.7b");
        alias("pythia-6.9b", "EleutherAI/pythia-6.7b", "pythia-6.7b");
        alias("pythia-12b", "EleutherAI/pythia-13b", "pythia-13b");
        alias("gpt-neo-125M", "gpt-neo-small", "neo-small", "neo");
        alias("Mistral-7B", "mistral-7b");
        alias("Qwen2-0.5B", "qwen2-0.5b");
        alias("Qwen2-1.5B", "qwen2-1.5b");
        alias("Phi-3-mini", "phi-3");
        alias("stablelm-2-1_6b", "stablelm-2-1.6b");
    }

    private KnownModels() {}

    /** GPT-2's repositories keep their original root names on the hub, which HF transformers users type. */
    private static void gpt2(String name, String repo, int layers, int heads, int dModel) {
        add(name, repo, new ModelConfig("gpt2", layers, heads, heads, dModel, dModel / heads, 4 * dModel, 50257,
                1024, 1e-5, Architecture.gpt2Style(GELU_TANH)));
        alias(name, "openai-community/" + name);
    }

    private static void pythia(String name, int layers, int heads, int dModel, int vocab) {
        Architecture neox = new Architecture(LAYER_NORM, ROTARY, GELU_EXACT, true, false, false);
        add(name, "EleutherAI/" + name, new ModelConfig("gpt_neox", layers, heads, heads, dModel, dModel / heads,
                4 * dModel, vocab, 2048, 1e-5, neox));
    }

    private static void add(String name, String repo, ModelConfig config) {
        MODELS.put(name, new KnownModel(name, repo, config));
        alias(name, name, repo);
    }

    private static void alias(String name, String... spellings) {
        for (String spelling : spellings) {
            String key = spelling.toLowerCase(Locale.ROOT);
            String earlier = CATALOGUE_NAMES.putIfAbsent(key, name);
            if (earlier != null && !earlier.equals(name)) {
                throw new IllegalStateException("'" + spelling + "' would name both " + earlier + " and " + name);
            }
            SPELLINGS.putIfAbsent(key, spelling);
        }
    }

    /** The model a name, HF repository or TransformerLens alias stands for, in any case. */
    public static Optional<KnownModel> find(String name) {
        return Optional.ofNullable(CATALOGUE_NAMES.get(name.toLowerCase(Locale.ROOT))).map(MODELS::get);
    }

    /** The model of that name, or a {@link ModelConfigException} that lists the known names. */
    public static KnownModel get(String name) {
        return find(name).orElseThrow(() -> new ModelConfigException(unknownModelMessage(name)));
    }

    /** The message for a name not in the catalogue: the nearest names, then every known name. */
    public static String unknownModelMessage(String name) {
        return "unknown model '" + name + "'" + suggestion(name) + " (known: " + catalogue() + ")";
    }

    /** {@code "; did you mean 'gpt2-small'?"} for {@code gpt2-smal}: the nearest accepted spellings, or empty. */
    public static String suggestion(String name) {
        return DidYouMean.hint(name, SPELLINGS.values());
    }

    /** The catalogue's names, and that aliases and repositories are accepted too, for error messages. */
    public static String catalogue() {
        return String.join(", ", MODELS.keySet()) + "; also their HF repositories (EleutherAI/pythia-70m) and"
                + " TransformerLens aliases (gpt2-small)";
    }

    /** The catalogue's names, one per model. */
    public static Set<String> names() {
        return MODELS.keySet();
    }
}
