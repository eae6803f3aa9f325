package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.arrakis.annotations.PlotKind;
import dev.arrakis.experiment.RunDefinition;
import dev.arrakis.plot.PlotRequest;
import dev.arrakis.runs.ArrayValue;
import dev.arrakis.runs.SweepAxis;
import java.util.List;
import org.junit.jupiter.api.Test;

/** How {@code @Plot(AUTO)} is resolved, and how the numbers are laid out for a renderer. */
class PlotResolverTest {
    private static final RunDefinition.PlotSpec AUTO = new RunDefinition.PlotSpec(PlotKind.AUTO, "");

    private static PlotRequest resolve(RunDefinition.PlotSpec spec, List<SweepAxis> axes, List<Object> values) {
        return PlotResolver.resolve(spec, "run", axes, values);
    }

    private static SweepAxis axis(String name, Integer... values) {
        return new SweepAxis(name, List.of(values));
    }

    @Test
    void numbersOverOneAxisAreALineOverLayersOrPositionsAndBarsOverHeadsOrNeurons() {
        assertEquals(PlotKind.LINE, resolve(AUTO, List.of(axis("layer", 0, 1)), List.of(1.0, 2.0)).kind());
        assertEquals(PlotKind.LINE, resolve(AUTO, List.of(axis("position", 0, 1)), List.of(1.0, 2.0)).kind());
        assertEquals(PlotKind.BAR, resolve(AUTO, List.of(axis("head", 0, 1)), List.of(1.0, 2.0)).kind());
        assertEquals(PlotKind.BAR, resolve(AUTO, List.of(axis("neuron", 7, 9)), List.of(1.0, 2.0)).kind());
    }

    @Test
    void numbersOverTwoAxesAreAHeatmapWithTheFirstAxisDown() {
        PlotRequest plot = resolve(AUTO, List.of(axis("layer", 0, 1), axis("head", 0, 1, 2)),
                List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0));
        assertEquals(PlotKind.HEATMAP, plot.kind());
        assertEquals("run", plot.title());
        assertEquals(List.of("0", "1"), plot.rowTicks());
        assertEquals(List.of("0", "1", "2"), plot.columnTicks());
        assertArrayEquals(new double[] {4, 5, 6}, plot.panels().get(0).values()[1]);
    }

    @Test
    void arraysPlotByTheirRank() {
        ArrayValue vector = new ArrayValue("double[]", new long[] {3}, new double[] {1, 2, 3});
        PlotRequest line = resolve(AUTO, List.of(), List.of(vector));
        assertEquals(PlotKind.LINE, line.kind());
        assertEquals("index", line.columnLabel());
        ArrayValue matrix = new ArrayValue("double[][]", new long[] {2, 2}, new double[] {1, 2, 3, 4});
        assertEquals(PlotKind.HEATMAP, resolve(AUTO, List.of(), List.of(matrix)).kind());
        ArrayValue pattern = new ArrayValue("AttentionPattern", new long[] {1, 2, 2, 2},
                new double[] {1, 0, .5, .5, 1, 0, .2, .8});
        PlotRequest attention = resolve(AUTO, List.of(), List.of(pattern));
        assertEquals(PlotKind.ATTENTION, attention.kind());
        assertEquals(2, attention.panels().size());
        assertEquals("batch=0, head=1", attention.panels().get(1).title());
        assertArrayEquals(new double[] {.2, .8}, attention.panels().get(1).values()[1]);
    }

    @Test
    void positionAxesAreTickedWithTheTokensThere() {
        List<String> tokens = java.util.Arrays.asList("<|endoftext|>", " Mary", null, " John");
        ArrayValue pattern = new ArrayValue("AttentionPattern", new long[] {1, 1, 4, 4}, new double[16]);
        PlotRequest attention = PlotResolver.resolve(AUTO, "run", List.of(), List.of(pattern), tokens);
        // Position 2 differs between the batch's rows: it keeps its number.
        List<String> expected = List.of("<|endoftext|>", " Mary", "2", " John");
        assertEquals(expected, attention.rowTicks(), "query positions");
        assertEquals(expected, attention.columnTicks(), "key positions");

        PlotRequest swept = PlotResolver.resolve(AUTO, "run", List.of(axis("layer", 0, 1), axis("position", 1, -1)),
                List.of(1.0, 2.0, 3.0, 4.0), tokens);
        assertEquals(List.of("0", "1"), swept.rowTicks(), "a layer axis keeps its numbers");
        assertEquals(List.of(" Mary", " John"), swept.columnTicks(), "position -1 counts from the end");

        ArrayValue residual = new ArrayValue("Residual", new long[] {1, 4, 2}, new double[8]);
        PlotRequest noTokenizer = PlotResolver.resolve(AUTO, "run", List.of(), List.of(residual), List.of());
        assertEquals(List.of("0", "1", "2", "3"), noTokenizer.rowTicks(), "without a tokenizer, numbers");
        assertEquals(List.of("0", "1"), noTokenizer.columnTicks(), "d_model is not a position axis");
    }

    @Test
    void anExplicitKindIsKeptAndUnplottableResultsGiveNoPlot() {
        RunDefinition.PlotSpec line = new RunDefinition.PlotSpec(PlotKind.LINE, "mine");
        PlotRequest plot = resolve(line, List.of(axis("head", 0, 1)), List.of(1.0, 2.0));
        assertEquals(PlotKind.LINE, plot.kind());
        assertEquals("mine", plot.title());
        assertNull(resolve(AUTO, List.of(axis("head", 0, 1)), List.of(1.0, "text")));
        assertNull(resolve(null, List.of(), List.of(1.0)));
    }

    @Test
    void javaArraysAndListsBecomeArrayValues() {
        assertEquals(new ArrayValue("float[][]", new long[] {2, 1}, new double[] {1, 2}),
                ResultValues.toJava(new float[][] {{1}, {2}}));
        assertEquals(new ArrayValue("List", new long[] {2}, new double[] {3, 4}),
                ResultValues.toJava(List.of(3, 4.0)));
        assertEquals("text", ResultValues.toJava("text"));
        double[][] ragged = {{1}, {2, 3}};
        assertEquals(ragged, ResultValues.toJava(ragged));
        assertEquals(List.of(List.of(1.0, 2.0), List.of(3.0, 4.0)),
                new ArrayValue("x", new long[] {2, 2}, new double[] {1, 2, 3, 4}).toNestedList());
    }
}
