package dev.arrakis.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arrakis.ReferenceCase;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.spec.ModelConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the family tables do with real checkpoints beyond matching HF: the canonical weights they build, and the
 * typed error, naming the tensor and the weight, when a config and its weights disagree.
 */
class FamilyLoadingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path temp;

    /** A copy of a reference checkpoint whose config.json was edited. */
    private Path withConfig(String caseName, Consumer<ObjectNode> edit) throws IOException {
        Path source = ReferenceCase.of(caseName).directory();
        Path copy = temp.resolve(caseName);
        Files.createDirectories(copy);
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        ObjectNode config = (ObjectNode) JSON.readTree(copy.resolve("config.json").toFile());
        edit.accept(config);
        JSON.writeValue(copy.resolve("config.json").toFile(), config);
        return copy;
    }

    @Test
    void gemmaNormScalesAreStoredAsOffsetsFromOne() {
        ReferenceCase gemma = ReferenceCase.of("gemma");
        try (SafetensorsFile checkpoint = SafetensorsFile.open(gemma.directory().resolve("model.safetensors"));
                HookedTransformer model = HookedTransformer.load(gemma.directory())) {
            float[] stored = checkpoint.readFloats("model.layers.1.input_layernorm.weight");
            float[] scale = model.weights().get("blocks.1.ln1.w").toFloatArray();
            for (int i = 0; i < stored.length; i++) {
                assertEquals(1 + stored[i], scale[i], 0, "element " + i);
            }
        }
    }

    @Test
    void neoxQueryRowsAreTakenFromEachHeadsBlockOfTheFusedProjection() {
        ReferenceCase neox = ReferenceCase.of("gpt-neox-sequential");
        try (SafetensorsFile checkpoint = SafetensorsFile.open(neox.directory().resolve("model.safetensors"));
                HookedTransformer model = HookedTransformer.load(neox.directory())) {
            // [3 * 4 heads * 16, 64] rows: head h's keys are rows 48h + 16 .. 48h + 32
            float[] fused = checkpoint.readFloats("gpt_neox.layers.0.attention.query_key_value.weight");
            float[] keys = model.weights().get("blocks.0.attn.W_K").toFloatArray(); // [64 in, 64 out]
            int head = 2;
            int row = 48 * head + 16 + 5; // output feature 5 of head 2's key
            for (int in = 0; in < 64; in++) {
                assertEquals(fused[row * 64 + in], keys[in * 64 + head * 16 + 5], 0, "input " + in);
            }
        }
    }

    @Test
    void aParallelStableLmSharesItsOneNormBetweenAttentionAndMlp() {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of("stablelm-parallel").directory())) {
            assertArrayEquals(model.weights().get("blocks.0.ln1.w").toFloatArray(),
                    model.weights().get("blocks.0.ln2.w").toFloatArray());
            assertArrayEquals(model.weights().get("blocks.0.ln1.b").toFloatArray(),
                    model.weights().get("blocks.0.ln2.b").toFloatArray());
        }
    }

    @Test
    void aConfigOfAnotherFamilyNamesTheTensorItLacks() throws IOException {
        Path mislabelled = withConfig("llama-gqa", config -> config.put("model_type", "gpt_neox"));
        ModelLoadException error = assertThrows(ModelLoadException.class, () -> HookedTransformer.load(mislabelled));
        assertEquals("checkpoint has no tensor 'embed_in.weight' (needed for embed.W_E); the checkpoint holds names"
                + " like 'lm_head.weight': is model_type 'gpt_neox' in config.json right?", error.getMessage());
    }

    @Test
    void aSequentialConfigOverAParallelCheckpointNamesTheMissingNorm() throws IOException {
        Path sequential = withConfig("stablelm-parallel", config -> config.put("use_parallel_residual", false));
        ModelLoadException error = assertThrows(ModelLoadException.class, () -> HookedTransformer.load(sequential));
        assertEquals("checkpoint has no tensor 'layers.0.post_attention_layernorm.weight' (needed for blocks.0.ln2.w)",
                error.getMessage().replaceAll("; did you mean.*", ""));
    }

    @Test
    void aWrongKeyValueHeadCountNamesTheFusedTensorAndBothShapes() throws IOException {
        Path wrong = withConfig("phi3", config -> config.put("num_key_value_heads", 4));
        ModelLoadException error = assertThrows(ModelLoadException.class, () -> HookedTransformer.load(wrong));
        assertEquals("checkpoint tensor 'model.layers.0.self_attn.qkv_proj.weight' has shape [128, 64] but"
                + " blocks.0.attn.W_Q needs [192, 64] for this config (2 layers, d_model 64)", error.getMessage());
    }

    @Test
    void aMissingOutputLayerIsAnErrorWhenTheConfigSaysUntied() throws IOException {
        Path untied = withConfig("qwen2-tied", config -> config.put("tie_word_embeddings", false));
        ModelLoadException error = assertThrows(ModelLoadException.class, () -> HookedTransformer.load(untied));
        assertEquals("the checkpoint stores no output layer for unembed.W_U, but config.json has tie_word_embeddings"
                + " false (the qwen2 default when the key is absent); tying it to the embedding would give wrong"
                + " logits", error.getMessage());
        Path defaulted = withConfig("gemma", config -> config.remove("tie_word_embeddings"));
        try (HookedTransformer gemma = HookedTransformer.load(defaulted)) {
            assertTrue(gemma.description().tiedEmbeddings(), "Gemma ties by default");
        }
    }

    @Test
    void anUnsupportedRopeTypeIsATypedConfigError() throws IOException {
        Path unknown = withConfig("llama-gqa", config -> config.putObject("rope_scaling").put("rope_type", "su")
                .put("factor", 4.0));
        ModelConfigException error = assertThrows(ModelConfigException.class, () -> HookedTransformer.load(unknown));
        assertEquals("model config " + unknown.resolve("config.json") + " 'rope_scaling': rope type 'su' is not"
                + " supported (default, linear, dynamic, llama3, longrope and yarn are)", error.getMessage());
    }
}
