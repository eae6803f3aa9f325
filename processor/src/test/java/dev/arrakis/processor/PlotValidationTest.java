package dev.arrakis.processor;

import static com.google.testing.compile.CompilationSubject.assertThat;

import com.google.testing.compile.Compilation;
import javax.tools.JavaFileObject;
import org.junit.jupiter.api.Test;

/** Rule 5: {@code @Plot} only on results that can be drawn the way it asks. */
class PlotValidationTest {

    private static void assertError(String members, String message, String line) {
        Compilations.assertErrorOnLine(Compilations.gpt2Experiment("Probe", members), message, line);
    }

    @Test
    void voidResult() {
        assertError("""
                    @Plot
                    void r(Logits logits) {}
                """, "[Experiment/NotPlottable] @Plot cannot draw void: the method returns nothing", "@Plot");
    }

    @Test
    void textResult() {
        assertError("""
                    @Plot(title = "words")
                    String r(Logits logits) { return ""; }
                """, "[Experiment/NotPlottable] @Plot cannot draw a String: return a number per sweep point",
                "@Plot(title");
    }

    @Test
    void recordResult() {
        assertError("""
                    record Stats(double mean, double max) {}

                    @Plot
                    @Ablate(layer = Sweep.ALL, head = 0)
                    Stats r(Logits logits) { return null; }
                """, "[Experiment/NotPlottable] @Plot cannot draw a Stats", "@Plot");
    }

    @Test
    void singleNumberWithNothingSwept() {
        assertError("""
                    @Ablate(layer = 1, head = 0)
                    @Plot
                    double r(Logits logits) { return 0; }
                """, "[Experiment/NotPlottable] @Plot cannot draw a double: the run sweeps nothing, so there is one"
                + " number and nothing to plot", "@Plot");
    }

    @Test
    void heatmapOfOneSweptAxis() {
        assertError("""
                    @Ablate(layer = Sweep.ALL, head = 0)
                    @Plot(title = "one axis",
                            kind = PlotKind.HEATMAP)
                    double r(Logits logits) { return 0; }
                """, "[Experiment/NotPlottable] @Plot cannot draw a double as HEATMAP: a heatmap needs two axes",
                "kind = PlotKind.HEATMAP");
    }

    @Test
    void attentionPlotOfSomethingElse() {
        assertError("""
                    @Plot(kind = PlotKind.ATTENTION)
                    double[] r(Logits logits) { return null; }
                """, "[Experiment/NotPlottable] @Plot cannot draw a double[] as ATTENTION: ATTENTION needs an"
                + " AttentionPattern", "PlotKind.ATTENTION");
    }

    @Test
    void plottableResultsCompile() {
        JavaFileObject source = Compilations.gpt2Experiment("Probe", """
                    @Plot
                    double[] vector(Logits logits) { return null; }

                    @Plot(kind = PlotKind.BAR)
                    List<Double> list(Logits logits) { return null; }

                    @Plot(kind = PlotKind.HEATMAP)
                    float[][] matrix(Logits logits) { return null; }

                    @Plot
                    NDArray array(Logits logits) { return null; }

                    @Plot
                    Residual residual(@Capture("blocks.0.hook_resid_post") Residual resid) { return resid; }

                    @Plot(kind = PlotKind.ATTENTION)
                    AttentionPattern pattern(@Capture("blocks.0.attn.hook_pattern") AttentionPattern p) { return p; }

                    @Ablate(layer = Sweep.ALL, head = Sweep.ALL)
                    @Plot(kind = PlotKind.HEATMAP)
                    Double grid(Logits logits) { return 0.0; }
                """);
        assertThat(Compilations.compile(source)).succeeded();
    }
}
