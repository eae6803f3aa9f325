package dev.arrakis.processor.emit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.palantir.javapoet.ClassName;
import dev.arrakis.processor.model.HooksModel;
import dev.arrakis.spec.KnownModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Hook classes follow each architecture's hook points, derived from the catalogue rather than written per family. */
class HooksEmitterTest {

    private static String emit(String model) {
        String className = HooksNaming.hooksClassForModel(model);
        return new HooksEmitter("gen", true).emit(new HooksModel(ClassName.get("p", className), model,
                KnownModels.get(model).config())).toString();
    }

    @Test
    void classNamesFromModelNames() {
        assertEquals("Gpt2Hooks", HooksNaming.hooksClassForModel("gpt2"));
        assertEquals("Gpt2MediumHooks", HooksNaming.hooksClassForModel("gpt2-medium"));
        assertEquals("Pythia14bHooks", HooksNaming.hooksClassForModel("pythia-1.4b"));
        assertEquals("Llama27bHooks", HooksNaming.hooksClassForModel("Llama-2-7b"));
        assertEquals("ToyHooks", HooksNaming.hooksClassForConfig("models/toy/config.json"));
        assertEquals("M2layerHooks", HooksNaming.hooksClassForConfig("2layer/config.json"));
    }

    @Test
    void constantNamesDropTheHookPrefixAndRepeatedGroup() {
        assertEquals(List.of("attn", "scores"), HooksNaming.words("attn.hook_attn_scores"));
        assertEquals("RESID_PRE", HooksNaming.constantName("hook_resid_pre"));
        assertEquals("LN_FINAL_SCALE", HooksNaming.constantName("ln_final.hook_scale"));
        assertEquals("LN1_POST_NORMALIZED", HooksNaming.constantName("ln1_post.hook_normalized"));
        assertEquals("preLinear", HooksNaming.methodName("pre_linear"));
        assertEquals("Ln1Post", HooksNaming.groupClassName("ln1_post"));
    }

    @Test
    void rotaryParallelModelHasNoPositionEmbeddingOrMidResidual() {
        String pythia = emit("pythia-70m");
        assertTrue(pythia.contains("public TypedHook<HeadVectors> rotQ()"), pythia);
        assertFalse(pythia.contains("POS_EMBED"), pythia);
        assertFalse(pythia.contains("residMid()"), pythia);
        assertTrue(pythia.contains("\"layer \" + layer + \" does not exist in pythia-70m (layers 0..5)\""), pythia);
    }

    @Test
    void gatedMlpAndPostNormsAppearWhereTheArchitectureHasThem() {
        String llama = emit("Llama-2-7b");
        assertTrue(llama.contains("public TypedHook<Neurons> preLinear()"), llama);
        String gemma2 = emit("gemma-2-2b");
        assertTrue(gemma2.contains("public Ln1Post ln1Post()"), gemma2);
        assertTrue(gemma2.contains("public static final String L25_LN2_POST_SCALE = \"blocks.25.ln2_post.hook_scale\";"),
                gemma2);
    }
}
