package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;

/**
 * {@code @Generate} settings the decoder cannot honour fail the build on the value at fault (GPT-2: vocabulary 50257),
 * under javac and ecj alike; good settings bind the parameter to {@code ToolBindings.generate} with their values.
 */
class GenerateValidationTest {

    @Test
    void noNewTokensFailsOnMaxNewTokens() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    String r(@Generate(temperature = 0.7,
                            maxNewTokens = 0) dev.arrakis.tools.generation.Generation text) { return ""; }
                """), "[Experiment/Generate] maxNewTokens = 0 generates nothing; give 1 or more", "maxNewTokens = 0");
    }

    @Test
    void aNegativeTemperatureFailsOnTemperature() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    String r(@Generate(maxNewTokens = 4,
                            temperature = -0.5) dev.arrakis.tools.generation.Generation text) { return ""; }
                """), "[Experiment/Generate] temperature = -0.5 is not a number >= 0 (0 decodes greedily)",
                "temperature = -0.5");
    }

    @Test
    void aTopKBeyondTheVocabularyFailsOnTopK() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    String r(@Generate(temperature = 1,
                            topK = 60000) dev.arrakis.tools.generation.Generation text) { return ""; }
                """), "[Experiment/Generate] topK = 60000 is outside 0..50257, the vocabulary of gpt2 (0 keeps every"
                + " token)", "topK = 60000");
    }

    @Test
    void aTopPOutsideTheUnitIntervalFailsOnTopP() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    String r(@Generate(temperature = 1,
                            topP = 0) dev.arrakis.tools.generation.Generation text) { return ""; }
                """), "[Experiment/Generate] topP = 0 is outside (0, 1] (1 keeps every token)", "topP = 0");
    }

    @Test
    void aStopTokenOutsideTheVocabularyFailsOnStopTokens() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    String r(@Generate(maxNewTokens = 3,
                            stopTokens = {50256, 50257}) dev.arrakis.tools.generation.Generation text) { return ""; }
                """), "[Experiment/Generate] stop token 50257 is outside the vocabulary of gpt2 (0..50256)",
                "stopTokens =");
    }

    @Test
    void aParameterOfAnotherTypeFails() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    String r(@Generate
                            String text) { return text; }
                """), "[Experiment/Binding] parameter 'text' is a String but @Generate gives a Generation",
                "String text");
    }

    @Test
    void goodSettingsBindToTheirValuesAndCountAsObservingTheInterventions() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", """
                    @Run
                    @Ablate(layer = 1, head = 3)
                    String r(@Generate(maxNewTokens = 5, temperature = 0.8, topK = 40, topP = 0.9, seed = 7,
                            stopTokens = 50256) dev.arrakis.tools.generation.Generation text) { return ""; }
                """));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "ToolBindings.generate(5, 0.8d, 40, 0.9d, 7L, new long[] {50256L})");
    }
}
