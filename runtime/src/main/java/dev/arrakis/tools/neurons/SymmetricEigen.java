package dev.arrakis.tools.neurons;

/**
 * Eigenvalues and eigenvectors of a real symmetric matrix: Householder reduction to tridiagonal form, then the
 * implicit QL algorithm (EISPACK's {@code tred2} and {@code tql2}, as in the public-domain JAMA library), about
 * {@code 4 n³} operations. Neither DJL nor the build has a symmetric eigensolver.
 */
final class SymmetricEigen {
    private final int n;
    /** Eigenvectors as columns: {@code vectors[row][column]}. */
    private final double[][] vectors;
    private final double[] values;
    private final double[] off;

    private SymmetricEigen(double[][] matrix) {
        n = matrix.length;
        vectors = new double[n][];
        for (int row = 0; row < n; row++) {
            vectors[row] = matrix[row].clone();
        }
        values = new double[n];
        off = new double[n];
        if (n > 0) {
            tridiagonalise();
            diagonalise();
        }
    }

    /**
     * Decomposes {@code matrix} (only symmetric matrices give meaningful results).
     *
     * @return {@code [values, vectors]}: eigenvalues in descending order, and the unit eigenvectors as rows in the
     *     same order, each with its largest-magnitude coordinate positive so that the result does not depend on the
     *     solver's sign choices
     */
    static Result of(double[][] matrix) {
        SymmetricEigen eigen = new SymmetricEigen(matrix);
        Integer[] order = new Integer[eigen.n];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, (a, b) -> Double.compare(eigen.values[b], eigen.values[a]));
        double[] sortedValues = new double[eigen.n];
        double[][] rows = new double[eigen.n][eigen.n];
        for (int rank = 0; rank < eigen.n; rank++) {
            int column = order[rank];
            sortedValues[rank] = eigen.values[column];
            int largest = 0;
            for (int row = 0; row < eigen.n; row++) {
                rows[rank][row] = eigen.vectors[row][column];
                if (Math.abs(rows[rank][row]) > Math.abs(rows[rank][largest])) {
                    largest = row;
                }
            }
            if (rows[rank][largest] < 0) {
                for (int row = 0; row < eigen.n; row++) {
                    rows[rank][row] = -rows[rank][row];
                }
            }
        }
        return new Result(sortedValues, rows);
    }

    record Result(double[] values, double[][] vectors) {}

    /** Householder reduction to tridiagonal form ({@code tred2}). */
    private void tridiagonalise() {
        double[][] v = vectors;
        double[] d = values;
        double[] e = off;
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
        }
        for (int i = n - 1; i > 0; i--) {
            double scale = 0;
            double h = 0;
            for (int k = 0; k < i; k++) {
                scale += Math.abs(d[k]);
            }
            if (scale == 0) {
                e[i] = d[i - 1];
                for (int j = 0; j < i; j++) {
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                    v[j][i] = 0;
                }
            } else {
                for (int k = 0; k < i; k++) {
                    d[k] /= scale;
                    h += d[k] * d[k];
                }
                double f = d[i - 1];
                double g = Math.sqrt(h);
                if (f > 0) {
                    g = -g;
                }
                e[i] = scale * g;
                h -= f * g;
                d[i - 1] = f - g;
                for (int j = 0; j < i; j++) {
                    e[j] = 0;
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    v[j][i] = f;
                    g = e[j] + v[j][j] * f;
                    for (int k = j + 1; k <= i - 1; k++) {
                        g += v[k][j] * d[k];
                        e[k] += v[k][j] * f;
                    }
                    e[j] = g;
                }
                f = 0;
                for (int j = 0; j < i; j++) {
                    e[j] /= h;
                    f += e[j] * d[j];
                }
                double hh = f / (h + h);
                for (int j = 0; j < i; j++) {
                    e[j] -= hh * d[j];
                }
                for (int j = 0; j < i; j++) {
                    f = d[j];
                    g = e[j];
                    for (int k = j; k <= i - 1; k++) {
                        v[k][j] -= f * e[k] + g * d[k];
                    }
                    d[j] = v[i - 1][j];
                    v[i][j] = 0;
                }
            }
            d[i] = h;
        }
        for (int i = 0; i < n - 1; i++) {
            v[n - 1][i] = v[i][i];
            v[i][i] = 1;
            double h = d[i + 1];
            if (h != 0) {
                for (int k = 0; k <= i; k++) {
                    d[k] = v[k][i + 1] / h;
                }
                for (int j = 0; j <= i; j++) {
                    double g = 0;
                    for (int k = 0; k <= i; k++) {
                        g += v[k][i + 1] * v[k][j];
                    }
                    for (int k = 0; k <= i; k++) {
                        v[k][j] -= g * d[k];
                    }
                }
            }
            for (int k = 0; k <= i; k++) {
                v[k][i + 1] = 0;
            }
        }
        for (int j = 0; j < n; j++) {
            d[j] = v[n - 1][j];
            v[n - 1][j] = 0;
        }
        v[n - 1][n - 1] = 1;
        e[0] = 0;
    }

    /** Implicit QL iterations on the tridiagonal matrix ({@code tql2}). */
    private void diagonalise() {
        double[][] v = vectors;
        double[] d = values;
        double[] e = off;
        for (int i = 1; i < n; i++) {
            e[i - 1] = e[i];
        }
        e[n - 1] = 0;
        double f = 0;
        double tst1 = 0;
        double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n && Math.abs(e[m]) > eps * tst1) {
                m++;
            }
            if (m > l) {
                do {
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Math.hypot(p, 1);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    f += h;
                    p = d[m];
                    double c = 1;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0;
                    double s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                        for (int k = 0; k < n; k++) {
                            h = v[k][i + 1];
                            v[k][i + 1] = s * v[k][i] + c * h;
                            v[k][i] = c * v[k][i] - s * h;
                        }
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
    }
}
