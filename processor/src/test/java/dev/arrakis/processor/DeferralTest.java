package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.testing.compile.Compilation;
import javax.tools.Diagnostic;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/**
 * Constants of a hooks class generated in the same compilation, used inside annotations: the experiment waits a
 * round for the class to exist.
 */
class DeferralTest {

    @Test
    void hookConstantsOfTheSameCompilationBind() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Run
                    double pattern(@Capture(Gpt2Hooks.L1_ATTN_PATTERN) AttentionPattern p) { return 0; }

                    @Patch(hook = Gpt2Hooks.RESID_PRE, layer = Sweep.ALL, from = "prompts", into = "prompts")
                    @Plot
                    double patched(Logits logits) { return 0; }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).succeeded();
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String()
                .contains("TypedHook<AttentionPattern> BLOCKS_1_ATTN_HOOK_PATTERN = new TypedHook<>("
                        + "\"blocks.1.attn.hook_pattern\", AttentionPattern.class);");
        assertThat(compilation).generatedSourceFile("test.Probe_Experiment").contentsAsUtf8String()
                .contains("Intervention.Patching.builder(\"hook_resid_pre\", \"prompts\", \"prompts\")"
                        + ".layers(Selection.everyIndex())");
        assertTrue(compilation.warnings().stream()
                        .noneMatch(warning -> warning.getMessage(null).contains("last round")),
                "the runner is generated in a round that is still processed: " + compilation.warnings());
    }

    @Test
    void deferredClassIsStillValidated() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Run
                    double pattern(@Capture(Gpt2Hooks.L1_ATTN_PATTERN) Residual p) { return 0; }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("[Experiment/Binding] parameter 'p' is a Residual but"
                + " blocks.1.attn.hook_pattern holds an AttentionPattern").inFile(source).onLineContaining("Residual p");
    }

    @Test
    void constantThatNeverAppearsLeavesJavacsOwnError() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Run
                    double pattern(@Capture(MissingHooks.L1_ATTN_PATTERN) AttentionPattern p) { return 0; }
                """);
        Compilation compilation = Compilations.compileComparingWithEcj(source);
        assertThat(compilation).hadErrorContaining("cannot find symbol").inFile(source)
                .onLineContaining("MissingHooks");
        assertTrue(compilation.diagnostics().stream()
                        .filter(diagnostic -> diagnostic.getKind() == Diagnostic.Kind.ERROR)
                        .noneMatch(diagnostic -> diagnostic.getMessage(null).contains("[Experiment/")),
                () -> "no second error about the same unresolved name: " + compilation.errors());
    }
}
