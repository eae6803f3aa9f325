package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Parameters that ask for an analysis tool by annotation: the build checks the request against the model's shape,
 * on the annotation value at fault, and the runner caches exactly the hook points the tool reads.
 */
class ToolBindingTest {

    @Test
    void aResidualStackEndingBeyondTheModelFailsOnItsLayer() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@StackResidual(value = Breakdown.LAYERS,
                            layer = 13) dev.arrakis.tools.residual.ResidualStack stack) { return 0; }
                """), "[Experiment/StreamPoint] the residual stream of gpt2 has no block input at layer 13 (layers"
                + " 0..11, or 12 for the end of the model)", "layer = 13");
    }

    @Test
    void theMlpInputOfTheEndFailsOnMlpInput() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@StackResidual(layer = 12,
                            mlpInput = true) dev.arrakis.tools.residual.ResidualStack stack) { return 0; }
                """), "[Experiment/StreamPoint] the residual stream of gpt2 has no MLP input at layer 12 (the end of"
                + " the model has none; the last MLP input is at layer 11)", "mlpInput = true");
    }

    @Test
    void aParameterOfAnotherTypeThanTheToolGives() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@LogitLens
                            NDArray lens) { return 0; }
                """), "[Experiment/Binding] parameter 'lens' is an NDArray but @LogitLens gives a LayerLogits",
                "NDArray lens");
    }

    @Test
    void headsOfAModelWithPostNormsDoNotAddUpToTheStream() {
        JavaFileObject source = Compilations.experiment("Probe", """
                @Experiment(config = "models/gemma2/config.json")
                class Probe {
                    @Input
                    TokenBatch prompts() { return null; }

                    @Run
                    double r(@StackResidual(
                            Breakdown.HEADS) dev.arrakis.tools.residual.ResidualStack stack) { return 0; }
                }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorCount(1);
        assertThat(compilation).hadErrorContaining("[Experiment/Breakdown] gemma2 cannot break the residual stream"
                + " down by HEADS: it normalises each attention output again (ln1_post) before it joins the stream,"
                + " so head outputs do not add up to it; use LAYERS").inFile(source).onLineContaining("HEADS)");
    }

    /**
     * The smallest set to cache, worked out by hand for GPT-2 (learned positions): the layers breakdown up to block 2
     * reads the two embeddings and the attention and MLP outputs of blocks 0 and 1; the cached-scale lens reads the
     * residual before every block, after the last, and ln_final's scale; composition reads weights only.
     */
    @Test
    void theRunCachesExactlyWhatItsToolsRead() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@StackResidual(value = Breakdown.LAYERS, layer = 2) dev.arrakis.tools.residual.ResidualStack s,
                            @Composition(CompositionKind.V) dev.arrakis.tools.weights.CompositionScores v) {
                        return 0;
                    }

                    @Run
                    double lens(@LogitLens(FinalNorm.CACHED_SCALE) dev.arrakis.tools.lens.LayerLogits lens) {
                        return 0;
                    }
                """));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                ".capture(HOOK_EMBED)\n                .capture(HOOK_POS_EMBED)\n"
                        + "                .capture(BLOCKS_0_HOOK_ATTN_OUT)\n"
                        + "                .capture(BLOCKS_0_HOOK_MLP_OUT)\n"
                        + "                .capture(BLOCKS_1_HOOK_ATTN_OUT)\n"
                        + "                .capture(BLOCKS_1_HOOK_MLP_OUT)\n"
                        + "                .resultType(\"double\")\n"
                        + "                .invoker((e, c) -> e.r(RESIDUAL_LAYERS.bind(c), COMPOSITION_V.bind(c)))");
        StringBuilder lensCaptures = new StringBuilder();
        for (int layer = 0; layer < 12; layer++) {
            lensCaptures.append(".capture(BLOCKS_").append(layer).append("_HOOK_RESID_PRE)\n                ");
        }
        lensCaptures.append(".capture(BLOCKS_11_HOOK_RESID_POST)\n                .capture(LN_FINAL_HOOK_SCALE)\n");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String()
                .contains(lensCaptures.toString());
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "ToolBinding<ResidualStack> RESIDUAL_LAYERS = ToolBindings.residual(Breakdown.LAYERS, 2, false);");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "ToolBinding<LayerLogits> LOGIT_LENS_CACHED_SCALE = ToolBindings.logitLens(FinalNorm.CACHED_SCALE);");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "ToolBinding<CompositionScores> COMPOSITION_V = ToolBindings.composition(CompositionKind.V);");
    }

    @Test
    void headDetectorsCacheEveryLayersPatternAndNothingElse() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", """
                    @Run
                    dev.arrakis.tools.attention.HeadScores r(@DetectHeads(value = HeadPattern.INDUCTION,
                            excludeBos = true) dev.arrakis.tools.attention.HeadScores scores) {
                        return scores;
                    }
                """));
        assertThat(compilation).succeededWithoutWarnings();
        StringBuilder captures = new StringBuilder(".input(\"prompts\")\n                ");
        for (int layer = 0; layer < 12; layer++) {
            captures.append(".capture(BLOCKS_").append(layer).append("_ATTN_HOOK_PATTERN)\n                ");
        }
        captures.append(".resultType(\"dev.arrakis.tools.attention.HeadScores\")");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String()
                .contains(captures.toString());
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "ToolBinding<HeadScores> DETECT_HEADS_INDUCTION = ToolBindings.detectHeads(HeadPattern.INDUCTION,"
                        + " ErrorMeasure.MUL, true, false);");
    }

    @Test
    void aCausalTraceWindowWiderThanTheModelFailsOnWindow() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@CausalTrace(restore = Restore.MLP,
                            window = 13) dev.arrakis.tools.tracing.CausalTracer tracer) { return 0; }
                """), "[Experiment/TraceWindow] causal tracing window 13 is wider than the model's 12 layers",
                "window = 13");
    }

    @Test
    void aCausalTraceOfTheResidualStreamTakesWindowOne() {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@CausalTrace(
                            window = 10) dev.arrakis.tools.tracing.CausalTracer tracer) { return 0; }
                """), "[Experiment/TraceWindow] causal tracing window 10 applies to MLP and ATTENTION restores; the"
                + " residual stream is restored at one layer (window = 1)", "window = 10");
    }

    @Test
    void causalTraceSamplesAndNoiseFailOnTheirOwnValues() {
        Compilation compilation = Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@CausalTrace(samples = 0,
                            noise = -3.0) dev.arrakis.tools.tracing.CausalTracer tracer) { return 0; }
                """), "[Experiment/TraceSamples] causal tracing needs at least 1 noise sample, got 0", "samples = 0");
        assertThat(compilation).hadErrorContaining("[Experiment/TraceNoise] causal tracing noise -3.0 is not a"
                + " positive multiple of the token embeddings' standard deviation (ROME uses 3.0)")
                .inFile(compilation.sourceFiles().get(0)).onLineContaining("noise = -3.0");
    }

    @Test
    void aCausalTraceBindsATracerWithItsValuesAndCachesNothing() {
        Compilation compilation = Compilations.compile(Compilations.gpt2Experiment("Probe", """
                    @Run
                    double r(@CausalTrace(restore = Restore.ATTENTION, window = 4, samples = 5, noise = 2.5,
                            seed = 7) dev.arrakis.tools.tracing.CausalTracer tracer) {
                        return 0;
                    }
                """));
        assertThat(compilation).succeededWithoutWarnings();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                "ToolBinding<CausalTracer> CAUSAL_TRACE_ATTENTION = ToolBindings.causalTrace(Restore.ATTENTION, 4, 5,"
                        + " 2.5, 7L);");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String().contains(
                ".resultType(\"double\")\n                .invoker((e, c) -> e.r(CAUSAL_TRACE_ATTENTION.bind(c)))");
    }
}
