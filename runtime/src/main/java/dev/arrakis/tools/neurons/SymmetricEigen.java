package dev.arrakis.tools.neurons;

import java.util.Arrays;
import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.DecompositionFactory_DDRM;
import org.ejml.interfaces.decomposition.EigenDecomposition_F64;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix, by EJML's symmetric decomposition (the library the weight
 * tools use for their SVDs), ordered and signed so that results do not depend on the solver's choices.
 */
final class SymmetricEigen {
    private SymmetricEigen() {}

    /**
     * Decomposes {@code matrix} (only symmetric matrices give meaningful results).
     *
     * @return eigenvalues in descending order, and the unit eigenvectors as rows in the same order, each with its
     *     largest-magnitude coordinate positive
     */
    static Result of(double[][] matrix) {
        int n = matrix.length;
        if (n == 0) {
            return new Result(new double[0], new double[0][0]);
        }
        EigenDecomposition_F64<DMatrixRMaj> decomposition = DecompositionFactory_DDRM.eig(n, true, true);
        if (!decomposition.decompose(new DMatrixRMaj(matrix))) {
            throw new IllegalArgumentException("the eigen decomposition of a " + n + " x " + n
                    + " matrix did not converge; does it hold NaN or infinite values?");
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(decomposition.getEigenvalue(b).real,
                decomposition.getEigenvalue(a).real));
        double[] values = new double[n];
        double[][] rows = new double[n][];
        for (int rank = 0; rank < n; rank++) {
            values[rank] = decomposition.getEigenvalue(order[rank]).real;
            double[] vector = decomposition.getEigenVector(order[rank]).getData().clone();
            int largest = 0;
            for (int i = 1; i < n; i++) {
                if (Math.abs(vector[i]) > Math.abs(vector[largest])) {
                    largest = i;
                }
            }
            if (vector[largest] < 0) {
                for (int i = 0; i < n; i++) {
                    vector[i] = -vector[i];
                }
            }
            rows[rank] = vector;
        }
        return new Result(values, rows);
    }

    record Result(double[] values, double[][] vectors) {}
}
