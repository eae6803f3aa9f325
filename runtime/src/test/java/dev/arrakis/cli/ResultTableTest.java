package dev.arrakis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.arrakis.runs.SweepAxis;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The result table shows a labelled axis (a swept coefficient) by its labels, not by the indices it records. */
class ResultTableTest {
    private static final SweepAxis COEFFICIENTS = new SweepAxis("coefficient", List.of(0, 1), List.of("0", "0.5"));

    private static String printed(List<SweepAxis> axes, List<?> values) {
        StringWriter text = new StringWriter();
        try (PrintWriter out = new PrintWriter(text)) {
            ResultTable.print(out, axes, values);
        }
        return text.toString().replace(System.lineSeparator(), "\n");
    }

    @Test
    void onePointPerLineNamesTheCoefficientByValue() {
        String table = printed(List.of(COEFFICIENTS), List.of(0.25, 0.75));
        assertEquals("coefficient=0  0.250000\ncoefficient=0.5  0.750000\n", table, "table:\n" + table);
    }

    @Test
    void aLayerByCoefficientGridHeadsItsColumnsWithTheValues() {
        String table = printed(List.of(new SweepAxis("layer", List.of(0, 1)), COEFFICIENTS),
                List.of(0.1, 0.2, 0.3, 0.4));
        assertEquals("layer\\coefficient          0        0.5\n"
                + "0            0.100000   0.200000\n"
                + "1            0.300000   0.400000\n", table, "table:\n" + table);
    }
}
