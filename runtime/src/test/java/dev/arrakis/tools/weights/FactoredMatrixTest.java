package dev.arrakis.tools.weights;

import static dev.arrakis.ReferenceCase.assertClose;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.NativeResources;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** FactoredMatrix algebra on small matrices whose products, norms, SVDs and eigenvalues are worked out by hand. */
class FactoredMatrixTest {
    static final double TOLERANCE = 1e-5;

    /** A [3, 2] and B [2, 3]; A·B = [[1, 2, 0], [0, 1, 1], [1, 3, 1]], ‖A·B‖² = 18, B·A = [[1, 2], [1, 2]]. */
    static final float[] A = {1, 0, 0, 1, 1, 1};
    static final float[] B = {1, 2, 0, 0, 1, 1};
    static final float[] AB = {1, 2, 0, 0, 1, 1, 1, 3, 1};

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager("PyTorch");
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private FactoredMatrix handMade() {
        return FactoredMatrix.of(manager, manager.create(A, new Shape(3, 2)), manager.create(B, new Shape(2, 3)));
    }

    @Test
    void productTransposeAndScaleAreTheHandComputedMatrices() {
        FactoredMatrix matrix = handMade();
        assertEquals(new Shape(3, 3), matrix.shape(), "shape of A·B");
        assertClose("A·B", new long[] {3, 3}, AB, matrix.product(), TOLERANCE);
        assertClose("(A·B)ᵀ", new long[] {3, 3}, new float[] {1, 0, 1, 2, 1, 3, 0, 1, 1},
                matrix.transpose().product(), TOLERANCE);
        assertClose("2·A·B", new long[] {3, 3}, new float[] {2, 4, 0, 0, 2, 2, 2, 6, 2},
                matrix.scale(2).product(), TOLERANCE);
    }

    @Test
    void productsStayFactoredThroughTheSmallerInnerDimension() {
        FactoredMatrix matrix = handMade();
        // M = [[1, 0], [0, 1], [1, 0]]: A·B·M = [[1, 2], [1, 1], [2, 3]]
        NDArray m = manager.create(new float[] {1, 0, 0, 1, 1, 0}, new Shape(3, 2));
        FactoredMatrix right = matrix.multiply(m);
        assertEquals(2, right.mdim(), "rdim 3 > mdim 2: A·(B·M) keeps the inner dimension 2");
        assertClose("A·B·M", new long[] {3, 2}, new float[] {1, 2, 1, 1, 2, 3}, right.product(), TOLERANCE);
        // Mᵀ·A·B = [[1, 0, 1], [0, 1, 0]]·A·B = [[2, 5, 1], [0, 1, 1]]
        FactoredMatrix left = matrix.leftMultiply(m.transpose());
        assertEquals(2, left.mdim(), "ldim 3 > mdim 2: (Mᵀ·A)·B keeps the inner dimension 2");
        assertClose("Mᵀ·A·B", new long[] {2, 3}, new float[] {2, 5, 1, 0, 1, 1}, left.product(), TOLERANCE);
        // (A·B)·(A·B): A·B squared = [[1, 4, 2], [1, 4, 2], [2, 8, 4]]
        FactoredMatrix squared = matrix.multiply(matrix);
        assertEquals(2, squared.mdim(), "a product of two factored matrices keeps the inner dimension");
        assertClose("(A·B)²", new long[] {3, 3}, new float[] {1, 4, 2, 1, 4, 2, 2, 8, 4}, squared.product(),
                TOLERANCE);
    }

    @Test
    void normIsTheFrobeniusNormOfTheProduct() {
        assertClose("‖A·B‖_F = √18", new float[] {(float) Math.sqrt(18)}, new float[] {handMade().norm().getFloat()},
                TOLERANCE);
    }

    /** A·B = diag(3, 2) placed at rows (0, 1) and columns (0, 2): singular values 3 and 2, vectors e0/e1, e0/e2. */
    @Test
    void svdOfAKnownMatrix() {
        FactoredMatrix matrix = FactoredMatrix.of(manager, manager.create(new float[] {3, 0, 0, 2, 0, 0}, new Shape(3, 2)),
                manager.create(new float[] {1, 0, 0, 0, 0, 1}, new Shape(2, 3)));
        FactoredMatrix.Svd svd = matrix.svd();
        assertClose("S", new long[] {2}, new float[] {3, 2}, svd.s(), TOLERANCE);
        assertClose("|U|", new float[] {1, 0, 0, 1, 0, 0}, svd.u().abs().toFloatArray(), TOLERANCE);
        assertClose("|V|", new float[] {1, 0, 0, 0, 0, 1}, svd.v().abs().toFloatArray(), TOLERANCE);
    }

    @Test
    void svdReconstructsTheProductAndItsValuesGiveTheNorm() {
        FactoredMatrix.Svd svd = handMade().svd();
        NDArray reconstructed = svd.u().mul(svd.s().reshape(1, -1)).matMul(svd.v().transpose());
        assertClose("U·diag(S)·Vᵀ", new long[] {3, 3}, AB, reconstructed, TOLERANCE);
        float sumOfSquares = svd.s().pow(2).sum().getFloat();
        assertClose("Σ S² = ‖A·B‖² = 18", new float[] {18}, new float[] {sumOfSquares}, 1e-4);
        float[] s = svd.s().toFloatArray();
        assertTrue(s[0] >= s[1], "singular values descend: " + s[0] + ", " + s[1]);
    }

    @Test
    void eigenvaluesComeFromTheSmallInnerProduct() {
        // B·A = [[1, 2], [1, 2]]: trace 3, determinant 0
        FactoredMatrix.Eigenvalues real = handMade().eigenvalues();
        assertClose("eigenvalues of A·B (real)", new long[] {2}, new float[] {3, 0}, real.real(), TOLERANCE);
        assertClose("eigenvalues of A·B (imaginary)", new long[] {2}, new float[] {0, 0}, real.imaginary(), TOLERANCE);
        // A·B a quarter turn in the first two coordinates: B·A = [[0, -1], [1, 0]], eigenvalues ±i
        FactoredMatrix rotation = FactoredMatrix.of(manager,
                manager.create(new float[] {0, -1, 1, 0, 0, 0}, new Shape(3, 2)),
                manager.create(new float[] {1, 0, 0, 0, 1, 0}, new Shape(2, 3)));
        FactoredMatrix.Eigenvalues complex = rotation.eigenvalues();
        assertClose("eigenvalues of a rotation (real)", new long[] {2}, new float[] {0, 0}, complex.real(), TOLERANCE);
        assertClose("eigenvalues of a rotation (imaginary, +i first)", new long[] {2}, new float[] {1, -1},
                complex.imaginary(), TOLERANCE);
    }

    /** A stack of two left factors against one shared right factor: leading axes broadcast, get picks one. */
    @Test
    void leadingAxesBroadcastAndIndex() {
        float[] stacked = new float[12];
        System.arraycopy(A, 0, stacked, 0, 6);
        for (int i = 0; i < 6; i++) {
            stacked[6 + i] = 2 * A[i];
        }
        FactoredMatrix batch = FactoredMatrix.of(manager, manager.create(stacked, new Shape(2, 3, 2)),
                manager.create(B, new Shape(2, 3)));
        assertEquals(new Shape(2, 3, 3), batch.shape(), "broadcast shape");
        float[] second = new float[9];
        for (int i = 0; i < 9; i++) {
            second[i] = 2 * AB[i];
        }
        assertClose("second matrix", new long[] {3, 3}, second, batch.get(1).product(), TOLERANCE);
        assertClose("norms", new long[] {2}, new float[] {(float) Math.sqrt(18), (float) (2 * Math.sqrt(18))},
                batch.norm(), TOLERANCE);
        assertClose("singular values per matrix", new float[] {0, 0},
                batch.svd().s().get(":, 0").sub(batch.get(0).svd().s().get(0).mul(manager.create(new float[] {1, 2})))
                        .toFloatArray(), TOLERANCE);
    }

    @Test
    void mismatchedFactorsAreRefusedWithTheirShapes() {
        NDArray a = manager.ones(new Shape(3, 2));
        NDArray b = manager.ones(new Shape(3, 3));
        ArrakisException error = assertThrows(ArrakisException.class, () -> FactoredMatrix.of(manager, a, b));
        assertTrue(error.getMessage().contains("(3, 2)") && error.getMessage().contains("(3, 3)"), error.getMessage());
        ArrakisException product = assertThrows(ArrakisException.class,
                () -> handMade().multiply(manager.ones(new Shape(2, 2))));
        assertTrue(product.getMessage().contains("(2, 2)"), product.getMessage());
        ArrakisException square = assertThrows(ArrakisException.class,
                () -> handMade().multiply(manager.ones(new Shape(3, 2))).eigenvalues());
        assertTrue(square.getMessage().contains("square"), square.getMessage());
    }

    /** Factors live in one manager, results in another: each call adds exactly its results there, nothing to the first. */
    @Test
    void resultsGoToTheGivenManagerAndNothingElseIsKept() {
        NDArray a = manager.create(A, new Shape(3, 2));
        NDArray b = manager.create(B, new Shape(2, 3));
        int factorsOnly = NativeResources.attachedCount(manager);
        try (NDManager results = manager.newSubManager()) {
            FactoredMatrix matrix = FactoredMatrix.of(results, a, b);
            matrix.product();
            matrix.norm();
            matrix.svd();
            matrix.eigenvalues();
            assertEquals(1 + 1 + 3 + 2, NativeResources.attachedCount(results),
                    "product, norm, U/S/V and real/imaginary eigenvalues in the results manager");
            assertEquals(factorsOnly + 1, NativeResources.attachedCount(manager),
                    "the factors' manager holds the factors and the results sub-manager only");
        }
        assertEquals(factorsOnly, NativeResources.attachedCount(manager), "all results freed with their manager");
        assertArrayEquals(A, a.toFloatArray(), "factors untouched");
    }
}
