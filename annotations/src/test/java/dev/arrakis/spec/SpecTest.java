package dev.arrakis.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SpecTest {

    @Test
    void catalogueGpt2MatchesTheConfigThatTransformersWritesForGpt2() throws IOException {
        // tools wrote this file with transformers.GPT2Config(), whose defaults are the published gpt2 checkpoint
        ModelConfig parsed = ConfigShapes.parse(new ConfigReader(readFlatJson("/gpt2-default-config.json"),
                "gpt2-default-config.json"));
        assertEquals(parsed, KnownModels.get("gpt2").config());
    }

    @Test
    void everyCatalogueShapeIsConsistent() {
        for (String name : KnownModels.names()) {
            ModelConfig config = KnownModels.get(name).config();
            assertEquals(0, config.heads() % config.kvHeads(), name);
            // GPT-2 and Pythia split d_model among heads; Gemma 2 alone is wider than heads * d_head
            if (!config.modelType().equals("gemma2")) {
                assertEquals(config.dModel(), config.heads() * config.dHead(), name);
            }
        }
    }

    @Test
    void unknownModelSuggestsTheNearestNameAndListsAll() {
        ModelConfigException e = assertThrows(ModelConfigException.class, () -> KnownModels.get("gtp2"));
        assertTrue(e.getMessage().startsWith("unknown model 'gtp2'; did you mean 'gpt2'?"), e.getMessage());
        assertTrue(e.getMessage().contains("pythia-70m") && e.getMessage().contains("gemma-2-2b"), e.getMessage());
    }

    @Test
    void hookCatalogueFollowsTheArchitecture() {
        HookPoints gpt2 = new HookPoints(KnownModels.get("gpt2").config());
        HookPoints llama = new HookPoints(KnownModels.get("Llama-2-7b").config());
        HookPoints pythia = new HookPoints(KnownModels.get("pythia-70m").config());
        HookPoints gemma2 = new HookPoints(KnownModels.get("gemma-2-2b").config());
        assertTrue(gpt2.contains("hook_pos_embed"), "gpt2 has hook_pos_embed");
        assertFalse(gpt2.contains("blocks.0.attn.hook_rot_q"), "gpt2 has no blocks.0.attn.hook_rot_q");
        assertFalse(llama.contains("hook_pos_embed"), "Llama-2-7b has no hook_pos_embed");
        assertTrue(llama.contains("blocks.31.attn.hook_rot_k"), "Llama-2-7b has blocks.31.attn.hook_rot_k");
        assertTrue(llama.contains("blocks.0.mlp.hook_pre_linear"), "Llama-2-7b has blocks.0.mlp.hook_pre_linear");
        assertFalse(pythia.contains("blocks.0.hook_resid_mid"), "pythia-70m has no blocks.0.hook_resid_mid");
        assertNull(pythia.block(0).residMid());
        assertTrue(gemma2.contains("blocks.3.ln1_post.hook_scale"), "gemma-2-2b has blocks.3.ln1_post.hook_scale");
        // 2 embedding points, 18 per GPT-2 block, 2 for the final norm
        assertEquals(2 + 12 * 18 + 2 - 1, gpt2.all().size() - 1);
        assertEquals(ActivationKind.HEAD_VECTORS, llama.get("blocks.0.attn.hook_k").kind());
        assertEquals("attn.hook_pattern", gpt2.get("blocks.9.attn.hook_pattern").blockRelativeName());
    }

    @Test
    void shapeChecksSayTheValidRange() {
        ShapeChecks gpt2 = new ShapeChecks("gpt2", KnownModels.get("gpt2").config());
        assertEquals("[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)",
                gpt2.layer(12).orElseThrow().text());
        assertEquals(Optional.empty(), gpt2.layer(11));
        assertEquals("[Experiment/HeadRange] head -1 does not exist in gpt2 (heads 0..11)",
                gpt2.head(-1).orElseThrow().text());
        assertEquals(Message.NEURON_RANGE, gpt2.neuron(3072).orElseThrow().message());
        assertEquals(Optional.empty(), gpt2.position(-1024));
        assertEquals(Message.POSITION_RANGE, gpt2.position(1024).orElseThrow().message());
        ShapeChecks mistral = new ShapeChecks("Mistral-7B", KnownModels.get("Mistral-7B").config());
        assertEquals("[Experiment/KvHeadRange] key/value head 8 does not exist in Mistral-7B (kv heads 0..7)",
                mistral.kvHead(8).orElseThrow().text());
    }

    @Test
    void unknownHookSuggestsTheNearestAndArchitectureMismatchSaysWhy() {
        ShapeChecks gpt2 = new ShapeChecks("gpt2", KnownModels.get("gpt2").config());
        assertEquals("[Experiment/UnknownHook] no hook point 'blocks.9.attn.hook_patern' in gpt2; did you mean"
                + " 'blocks.9.attn.hook_pattern'?", gpt2.hook("blocks.9.attn.hook_patern").orElseThrow().text());
        assertEquals(Message.HOOK_NOT_IN_ARCHITECTURE, gpt2.hook("blocks.0.attn.hook_rot_q").orElseThrow().message());
        ShapeChecks llama = new ShapeChecks("Llama-2-7b", KnownModels.get("Llama-2-7b").config());
        assertEquals("[Experiment/HookNotInArchitecture] Llama-2-7b has no hook point 'hook_pos_embed' (rotary"
                + " positions, gated MLP)", llama.hook("hook_pos_embed").orElseThrow().text());
        assertTrue(gpt2.isBlockRelative("attn.hook_z"), "attn.hook_z is block-relative");
        assertFalse(gpt2.isBlockRelative("hook_embed"), "hook_embed is not block-relative");
        assertTrue(gpt2.isBlockRelative("hook_resid_pre"), "hook_resid_pre is block-relative");
        assertFalse(gpt2.isBlockRelative("blocks.0.hook_resid_pre"), "blocks.0.hook_resid_pre is a full name");
    }

    @Test
    void configReaderNamesTheFileAndTheKey() {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("model_type", "gpt2");
        values.put("n_embd", "768");
        ModelConfigException e = assertThrows(ModelConfigException.class,
                () -> ConfigShapes.parse(new ConfigReader(values, "toy/config.json")));
        assertEquals("model config toy/config.json: 'n_embd' must be an integer, got \"768\"", e.getMessage());
        values.put("model_type", "bert");
        e = assertThrows(ModelConfigException.class, () -> ConfigShapes.parse(new ConfigReader(values, "c.json")));
        assertEquals("model config c.json: model_type 'bert' is not supported; supported: [gemma, gemma2, gpt2,"
                + " gpt_neo, gpt_neox, llama, mistral, phi3, qwen2, stablelm]", e.getMessage());
    }

    /** Enough JSON for a flat config file, so this module keeps no JSON library. */
    private static Map<String, Object> readFlatJson(String resource) throws IOException {
        String text;
        try (InputStream in = SpecTest.class.getResourceAsStream(resource)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        Map<String, Object> values = new LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("^  \"([^\"]+)\": (\"[^\"]*\"|-?[0-9.eE+-]+|true|false|null)", java.util.regex.Pattern.MULTILINE)
                .matcher(text);
        while (m.find()) {
            String raw = m.group(2);
            Object value;
            if (raw.startsWith("\"")) {
                value = raw.substring(1, raw.length() - 1);
            } else if (raw.equals("true") || raw.equals("false")) {
                value = Boolean.parseBoolean(raw);
            } else if (raw.equals("null")) {
                value = null;
            } else if (raw.matches("-?[0-9]+")) {
                value = Long.parseLong(raw);
            } else {
                value = Double.parseDouble(raw);
            }
            values.put(m.group(1), value);
        }
        return values;
    }
}
