package dev.arrakis.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.io.CheckpointFiles;
import dev.arrakis.spec.ConfigShapes;
import dev.arrakis.spec.ModelConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configs that claim absurd sizes or numbers, refused by name before anything is built from them. The timeouts only
 * stop a failing run: before the fixes each of these built per-layer lists of a billion entries.
 */
class ModelConfigFindingsTest {
    private static final String GPT2 = "{\"model_type\": \"gpt2\", \"n_embd\": 64, \"n_head\": 4, \"n_positions\": 32,"
            + " \"vocab_size\": 384, ";

    /** Qwen2 with d_head 16, so 16 rotary dimensions and 8 frequencies; the rope_scaling follows. */
    private static final String QWEN2 = "{\"model_type\": \"qwen2\", \"hidden_size\": 64, \"num_attention_heads\": 4,"
            + " \"num_hidden_layers\": 2, \"intermediate_size\": 128, \"vocab_size\": 256,"
            + " \"max_position_embeddings\": 128, ";

    @TempDir
    Path directory;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aBillionLayersAreRefusedBeforeAnyLayerIsDescribed() throws IOException {
        ModelConfigException refusal = refused(GPT2 + "\"n_layer\": 1000000000}");
        assertNames(refusal, "'n_layer'", "1000000000", "10000");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGptNeoAttentionGroupRepeatedABillionTimesIsRefused() throws IOException {
        ModelConfigException refusal = refused("{\"model_type\": \"gpt_neo\", \"hidden_size\": 64, \"num_heads\": 4,"
                + " \"num_layers\": 4, \"max_position_embeddings\": 32, \"vocab_size\": 256,"
                + " \"attention_types\": [[[\"global\", \"local\"], 1000000000]]}");
        assertNames(refusal, "'attention_types'", "num_layers is 4");
    }

    @Test
    void aFractionalGptNeoRepeatCountIsRefused() throws IOException {
        ModelConfigException refusal = refused("{\"model_type\": \"gpt_neo\", \"hidden_size\": 64, \"num_heads\": 4,"
                + " \"num_layers\": 4, \"max_position_embeddings\": 32, \"vocab_size\": 256,"
                + " \"attention_types\": [[[\"global\", \"local\"], 2.5]]}");
        assertNames(refusal, "'attention_types'", "2.5");
    }

    @Test
    void aNumberTooLargeForADoubleIsRefusedRatherThanReadAsInfinity() throws IOException {
        ModelConfigException refusal = refused(GPT2 + "\"n_layer\": 2, \"layer_norm_epsilon\": 1e999}");
        assertNames(refusal, "'layer_norm_epsilon'", "finite");
    }

    @Test
    void aNegativeYarnBetaIsRefusedRatherThanGivingNanFrequencies() throws IOException {
        ModelConfigException refusal = refused(QWEN2 + "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0,"
                + " \"beta_fast\": -1}}");
        assertNames(refusal, "'beta_fast'", "-1.0");
    }

    @Test
    void aNegativeYarnOriginalContextIsRefused() throws IOException {
        ModelConfigException refusal = refused(QWEN2 + "\"rope_scaling\": {\"rope_type\": \"yarn\", \"factor\": 4.0,"
                + " \"original_max_position_embeddings\": -32}}");
        assertNames(refusal, "'original_max_position_embeddings'", "-32");
    }

    @Test
    void aZeroLongRopeFactorIsRefusedRatherThanGivingInfiniteFrequencies() throws IOException {
        ModelConfigException refusal = refused(QWEN2 + "\"rope_scaling\": {\"type\": \"longrope\","
                + " \"short_factor\": [1, 0, 1, 1, 1, 1, 1, 1], \"long_factor\": [1, 1, 1, 1, 1, 1, 1, 1]}}");
        assertNames(refusal, "'short_factor'", "0.0");
    }

    private ModelConfigException refused(String json) throws IOException {
        Path file = Files.writeString(directory.resolve("config.json"), json);
        return assertThrows(ModelConfigException.class,
                () -> ConfigShapes.describe(CheckpointFiles.readConfigFile(file)), json);
    }

    private static void assertNames(Exception refusal, String... parts) {
        for (String part : parts) {
            assertTrue(refusal.getMessage().contains(part), "message should name " + part + ": "
                    + refusal.getMessage());
        }
    }
}
