package dev.arrakis.tools.weights;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.arrakis.NativeResources;
import dev.arrakis.ReferenceCase;
import dev.arrakis.annotations.CompositionKind;
import dev.arrakis.io.SafetensorsFile;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Precision;
import dev.arrakis.model.WeightProcessing;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Circuits, their SVDs, norms and eigenvalues, composition scores and relation subspaces against TransformerLens on
 * the same checkpoints ({@code tools/reference/tl_weights.py}): GPT-2 and a LLaMA with grouped-query attention.
 * Tolerance 1e-4 absolute in f32 unless a comment says otherwise.
 */
class WeightToolsReferenceTest {
    static final double TOLERANCE = 1e-4;

    @ParameterizedTest
    @CsvSource({"gpt2-tiny, gpt2-prefixed", "llama-gqa, llama-gqa"})
    void circuitsEqualTransformerLens(String referenceName, String caseName) {
        try (SafetensorsFile expected = reference(referenceName + "-circuits");
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory());
                NDManager manager = model.weights().embedding().getManager().newSubManager()) {
            for (String circuit : List.of("OV", "QK")) {
                FactoredMatrix matrix = circuit.equals("OV")
                        ? HeadCircuits.ov(model, manager)
                        : HeadCircuits.qk(model, manager);
                String what = referenceName + " " + circuit;
                assertClose(what + ".AB", expected.info(circuit + ".AB").shape(), expected.readFloats(circuit + ".AB"),
                        matrix.product(), TOLERANCE);
                assertClose(what + ".norm", expected.info(circuit + ".norm").shape(),
                        expected.readFloats(circuit + ".norm"), matrix.norm(), TOLERANCE);
                FactoredMatrix.Svd svd = matrix.svd();
                assertClose(what + ".S", expected.info(circuit + ".S").shape(), expected.readFloats(circuit + ".S"),
                        svd.s(), TOLERANCE);
                FactoredMatrix.Eigenvalues eigenvalues = matrix.eigenvalues();
                assertSameComplexValues(what + " eigenvalues", expected.readFloats(circuit + ".eigenvalues.real"),
                        expected.readFloats(circuit + ".eigenvalues.imag"), eigenvalues.real().toFloatArray(),
                        eigenvalues.imaginary().toFloatArray(), (int) matrix.mdim());
                if (circuit.equals("QK")) {
                    float[] s = expected.readFloats("QK.S");
                    int dModel = model.config().dModel();
                    assertSameColumnsUpToSign(what + ".U", expected.readFloats("QK.U"), svd.u().toFloatArray(), s,
                            dModel, model.config().dHead());
                    assertSameColumnsUpToSign(what + ".Vh", expected.readFloats("QK.Vh"), svd.v().toFloatArray(), s,
                            dModel, model.config().dHead());
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({
        "gpt2-tiny, gpt2-prefixed, circuits, false",
        "llama-gqa, llama-gqa, circuits, false",
        "gpt2-tiny, gpt2-prefixed, processed, true",
        "llama-gqa, llama-gqa, processed, true"})
    void compositionScoresEqualTransformerLens(String referenceName, String caseName, String file, boolean processed) {
        WeightProcessing processing = processed ? WeightProcessing.transformerLensDefaults() : WeightProcessing.none();
        try (SafetensorsFile expected = reference(referenceName + "-" + file);
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory(), Device.cpu(),
                        Precision.F32, processing)) {
            int layers = model.config().layers();
            int heads = model.config().heads();
            for (CompositionKind kind : CompositionKind.values()) {
                CompositionScores scores = CompositionScores.of(model, kind);
                float[] reference = expected.readFloats("composition." + kind);
                float[] actual = new float[reference.length];
                double largest = 0;
                int at = 0;
                for (int l1 = 0; l1 < layers; l1++) {
                    for (int h1 = 0; h1 < heads; h1++) {
                        for (int l2 = 0; l2 < layers; l2++) {
                            for (int h2 = 0; h2 < heads; h2++) {
                                actual[at] = (float) scores.score(l1, h1, l2, h2);
                                largest = Math.max(largest, reference[at++]);
                            }
                        }
                    }
                }
                assertTrue(largest > 0.05, referenceName + " " + kind + ": TransformerLens's largest score is only "
                        + largest + ", too small to compare meaningfully");
                double worst = assertClose(referenceName + " " + file + " composition " + kind, reference, actual,
                        TOLERANCE);
                // the heatmap shows the same tensor, head (l, h) at row and column l·heads + h
                double[][] shown = scores.heatmap().panels().get(0).values();
                float[] flattened = new float[reference.length];
                for (int row = 0; row < layers * heads; row++) {
                    for (int column = 0; column < layers * heads; column++) {
                        flattened[row * layers * heads + column] = (float) shown[row][column];
                    }
                }
                assertClose(referenceName + " " + kind + " heatmap", reference, flattened, TOLERANCE);
                System.out.printf("%s %s %s-composition: largest %.4f, max |diff| vs TransformerLens %.2e%n",
                        referenceName, file, kind, largest, worst);
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"gpt2-tiny, gpt2-prefixed", "llama-gqa, llama-gqa"})
    void relationSubspacesAreTheTopSingularDirectionsOfQk(String referenceName, String caseName) {
        int rank = 3;
        try (SafetensorsFile expected = reference(referenceName + "-circuits");
                HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory())) {
            int dModel = model.config().dModel();
            int dHead = model.config().dHead();
            float[] s = expected.readFloats("QK.S");
            float[] u = expected.readFloats("QK.U");
            float[] v = expected.readFloats("QK.Vh");
            List<RelationSubspace> subspaces = RelationSubspace.ofEveryHead(model, rank);
            assertEquals(model.config().layers() * model.config().heads(), subspaces.size(), "one per head");
            for (RelationSubspace subspace : subspaces) {
                int index = subspace.layer() * model.config().heads() + subspace.head();
                String what = referenceName + " L" + subspace.layer() + "H" + subspace.head();
                double total = 0;
                double top = 0;
                float[] expectedValues = new float[rank];
                for (int i = 0; i < dHead; i++) {
                    double value = s[index * dHead + i];
                    total += value * value;
                    if (i < rank) {
                        top += value * value;
                        expectedValues[i] = (float) value;
                    }
                }
                assertClose(what + " singular values", expectedValues, subspace.singularValues(), TOLERANCE);
                assertClose(what + " captured share", new float[] {(float) (top / total)},
                        new float[] {(float) subspace.capturedShare()}, TOLERANCE);
                for (int i = 0; i < rank; i++) {
                    float[] expectedQuery = new float[dModel];
                    float[] expectedKey = new float[dModel];
                    for (int row = 0; row < dModel; row++) {
                        expectedQuery[row] = u[(index * dModel + row) * dHead + i];
                        expectedKey[row] = v[(index * dModel + row) * dHead + i];
                    }
                    // u_i and v_i flip sign together, so one sign aligns both
                    double sign = Math.signum(dot(expectedQuery, subspace.queryDirections()[i]));
                    assertClose(what + " query direction " + i, expectedQuery,
                            scaled(subspace.queryDirections()[i], sign), 1e-3);
                    assertClose(what + " key direction " + i, expectedKey, scaled(subspace.keyDirections()[i], sign),
                            1e-3);
                }
            }
        }
    }

    /** The tools read weights and keep nothing: the model's manager holds exactly its weights afterwards. */
    @ParameterizedTest
    @CsvSource({"gpt2-prefixed", "llama-gqa"})
    void weightToolsLeaveNothingInTheModelsManager(String caseName) {
        try (HookedTransformer model = HookedTransformer.load(ReferenceCase.of(caseName).directory())) {
            NDManager modelManager = model.weights().embedding().getManager();
            int weightsOnly = NativeResources.attachedCount(modelManager);
            CompositionScores.of(model, CompositionKind.K);
            RelationSubspace.ofEveryHead(model, 2);
            try (NDManager caller = modelManager.newSubManager()) {
                FactoredMatrix ov = HeadCircuits.ov(model, caller);
                ov.svd();
                ov.norm();
                assertEquals(2 + 3 + 1, NativeResources.attachedCount(caller),
                        "the caller's manager holds the two factors, U/S/V and the norm");
            }
            assertEquals(weightsOnly, NativeResources.attachedCount(modelManager),
                    "arrays attached to the model's manager after the weight tools ran");
        }
    }

    static SafetensorsFile reference(String name) {
        return SafetensorsFile.open(
                Path.of("src/test/resources/reference/tools/weights", name + ".safetensors").toAbsolutePath());
    }

    /** Each column with a singular value clear of its neighbours (so defined up to sign) equals TL's, up to sign. */
    private static void assertSameColumnsUpToSign(String what, float[] expected, float[] actual, float[] s,
            int rows, int width) {
        int count = s.length / width;
        int compared = 0;
        for (int m = 0; m < count; m++) {
            for (int c = 0; c < width; c++) {
                double value = s[m * width + c];
                double gap = Math.min(c == 0 ? Double.MAX_VALUE : s[m * width + c - 1] - value,
                        c == width - 1 ? Double.MAX_VALUE : value - s[m * width + c + 1]);
                if (gap < 1e-2 * s[m * width]) {
                    continue;
                }
                float[] e = new float[rows];
                float[] a = new float[rows];
                for (int r = 0; r < rows; r++) {
                    e[r] = expected[(m * rows + r) * width + c];
                    a[r] = actual[(m * rows + r) * width + c];
                }
                assertClose(what + " matrix " + m + " column " + c, e, scaled(a, Math.signum(dot(e, a))), 1e-3);
                compared++;
            }
        }
        assertTrue(compared > count * width / 2, what + ": only " + compared + " of " + count * width
                + " columns had singular values clear of their neighbours");
    }

    /** The same multiset of complex values: each expected value is matched to the nearest unused actual one. */
    private static void assertSameComplexValues(String what, float[] expectedReal, float[] expectedImag,
            float[] actualReal, float[] actualImag, int perMatrix) {
        for (int start = 0; start < expectedReal.length; start += perMatrix) {
            boolean[] used = new boolean[perMatrix];
            for (int i = start; i < start + perMatrix; i++) {
                int nearest = -1;
                double distance = Double.MAX_VALUE;
                for (int j = 0; j < perMatrix; j++) {
                    double d = Math.hypot(expectedReal[i] - actualReal[start + j], expectedImag[i] - actualImag[start + j]);
                    if (!used[j] && d < distance) {
                        distance = d;
                        nearest = j;
                    }
                }
                if (distance > TOLERANCE) {
                    fail(String.format("%s: TransformerLens's %.6f%+.6fi (matrix %d) has no match here; nearest is "
                            + "%.6f%+.6fi, %.2e away", what, expectedReal[i], expectedImag[i], start / perMatrix,
                            actualReal[start + nearest], actualImag[start + nearest], distance));
                }
                used[nearest] = true;
            }
        }
    }

    private static double dot(float[] x, float[] y) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            sum += (double) x[i] * y[i];
        }
        return sum;
    }

    private static float[] scaled(float[] x, double factor) {
        float[] result = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            result[i] = (float) (x[i] * factor);
        }
        return result;
    }
}
