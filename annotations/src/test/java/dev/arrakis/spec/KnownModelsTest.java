package dev.arrakis.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class KnownModelsTest {
    @Test
    void transformerLensAliasesAndHubNamesFindTheCatalogueModel() {
        List<List<String>> spellings = List.of(
                List.of("gpt2", "gpt2-small", "openai-community/gpt2", "GPT2-Small"),
                List.of("gpt2-medium", "openai-community/gpt2-medium"),
                List.of("pythia-70m", "EleutherAI/pythia-70m", "pythia", "pythia-19m", "EleutherAI/pythia-19m"),
                List.of("pythia-160m", "EleutherAI/pythia-160m", "pythia-125m"),
                List.of("gpt-neo-125M", "EleutherAI/gpt-neo-125M", "EleutherAI/gpt-neo-125m", "gpt-neo-small", "neo"),
                List.of("Llama-2-7b", "meta-llama/Llama-2-7b-hf"),
                List.of("Mistral-7B", "mistral-7b", "mistralai/Mistral-7B-v0.1"),
                List.of("Qwen2-0.5B", "qwen2-0.5b", "Qwen/Qwen2-0.5B"),
                List.of("gemma-2-2b", "google/gemma-2-2b"),
                List.of("Phi-3-mini", "phi-3", "microsoft/Phi-3-mini-4k-instruct"),
                List.of("stablelm-2-1_6b", "stablelm-2-1.6b", "stabilityai/stablelm-2-1_6b"));
        for (List<String> names : spellings) {
            String canonical = names.get(0);
            for (String name : names) {
                assertEquals(canonical, KnownModels.find(name).map(KnownModels.KnownModel::name).orElse("(none)"),
                        name);
                assertEquals(KnownModels.get(canonical).hubRepo(), KnownModels.get(name).hubRepo(), name);
            }
        }
        assertTrue(KnownModels.find("gpt2-smal").isEmpty(), "a typo is not an alias");
        assertEquals(21, KnownModels.names().size(), "names() lists each model once: " + KnownModels.names());
    }

    @Test
    void aTypoIsAnsweredWithTheNameOfItsFamilyNotADistantSibling() {
        assertEquals("; did you mean 'gpt2-small'?", KnownModels.suggestion("gpt2-smal"));
        assertEquals("; did you mean 'pythia-70m'?", KnownModels.suggestion("pythia-7m"));
        assertEquals("; did you mean 'EleutherAI/pythia-70m'?", KnownModels.suggestion("EleutherAI/pythia-7m"));
        String message = KnownModels.unknownModelMessage("gpt2-smal");
        assertTrue(message.startsWith("unknown model 'gpt2-smal'; did you mean 'gpt2-small'?"
                + " (known: gpt2, gpt2-medium, ") && message.contains("TransformerLens"), message);
    }
}
