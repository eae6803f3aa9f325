package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import org.junit.jupiter.api.Test;

/**
 * {@code @Edit} and {@code @BlendHeads}: an edit the model cannot take fails the build on the value at fault (gpt2:
 * 12 layers, 12 heads), with the messages the runtime's {@code ModelSurgery} gives; a valid one binds a view.
 */
class SurgeryValidationTest {

    @Test
    void aLayerListedTwiceInAPermutationFailsOnThatElement() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit(permuteLayers = {11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1,
                            10}) HookedTransformer view) { return 0; }
                """), "[Experiment/Edit] layer 10 is listed twice in permuteLayers", "10}) HookedTransformer",
                "@Edit(permuteLayers");
    }

    @Test
    void aPermutationMissingLayersNamesThem() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit(
                            permuteLayers = {1, 0, 2, 3, 4, 5, 6, 7, 8, 9}) HookedTransformer view) { return 0; }
                """), "[Experiment/Permutation] [1, 0, 2, 3, 4, 5, 6, 7, 8, 9] is not a permutation of the 12 layers"
                + " of gpt2: layers 10, 11 are missing", "permuteLayers = {1, 0");
    }

    @Test
    void deletingALayerTheModelLacksFailsOnIt() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit(deleteLayers = {3,
                            12}) HookedTransformer view) { return 0; }
                """), "[Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)", "12})",
                "deleteLayers = {3");
    }

    @Test
    void anEditNeedsExactlyOneKind() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit HookedTransformer view) { return 0; }
                """), "[Experiment/Edit] @Edit needs exactly one of deleteLayers, permuteLayers and duplicateLayer;"
                + " it has none", "@Edit HookedTransformer");
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit(deleteLayers = 1,
                            duplicateLayer = 0) HookedTransformer view) { return 0; }
                """), "[Experiment/Edit] @Edit needs exactly one of deleteLayers, permuteLayers and duplicateLayer;"
                + " it has deleteLayers and duplicateLayer", "duplicateLayer = 0");
    }

    @Test
    void blendingAHeadTheModelLacksIntoItselfOrBeyondOneFailsOnTheValue() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@BlendHeads(layer = 0, head = 1,
                            into = 12) HookedTransformer view) { return 0; }
                """), "[Experiment/HeadRange] head 12 does not exist in gpt2 (heads 0..11)", "into = 12");
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@BlendHeads(layer = 0, head = 4,
                            into = 4) HookedTransformer view) { return 0; }
                """), "[Experiment/BlendHeads] head 4 cannot be blended into itself; 'into' names another head of"
                + " layer 0", "into = 4");
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@BlendHeads(layer = 0, head = 4, into = 5,
                            alpha = 1.5) HookedTransformer view) { return 0; }
                """), "[Experiment/BlendHeads] alpha 1.5 is outside 0..1 (into := (1 - alpha) * into + alpha *"
                + " head)", "alpha = 1.5");
    }

    @Test
    void aViewIsAHookedTransformer() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit(deleteLayers = 1)
                            NDArray view) { return 0; }
                """), "[Experiment/Binding] parameter 'view' is an NDArray but @Edit gives a HookedTransformer",
                "NDArray view");
    }

    @Test
    void validEditsBindViewsAndCacheNothing() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@Edit(permuteLayers = {1, 0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}) HookedTransformer swapped,
                            @BlendHeads(layer = 5, head = 1, into = 2, alpha = 0.25) HookedTransformer blended) {
                        return 0;
                    }
                """));
        assertThat(compilation).succeededWithoutWarnings();
        String runner = "test.Probe_Experiment";
        assertThat(compilation).generatedSourceFile(runner).contentsAsUtf8String().contains(
                "ToolBinding<HookedTransformer> PERMUTE_LAYERS = ToolBindings.permuteLayers(new int[] {1, 0, 2, 3,"
                        + " 4, 5, 6, 7, 8, 9, 10, 11});");
        assertThat(compilation).generatedSourceFile(runner).contentsAsUtf8String().contains(
                "ToolBinding<HookedTransformer> BLEND_HEADS = ToolBindings.blendHeads(5, 1, 2, 0.25);");
        assertThat(compilation).generatedSourceFile(runner).contentsAsUtf8String().contains(
                ".resultType(\"double\")\n                .invoker((e, c) -> e.r(PERMUTE_LAYERS.bind(c), BLEND_HEADS.bind(c)))");
    }
}
