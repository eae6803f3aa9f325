package dev.arrakis.tools.probes;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.CommonOps_DDRM;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Ridge regression, the linear probe for a real-valued target: minimises {@code ||y - X w - b||^2 + l2 ||w||^2} with
 * the intercept {@code b} not penalised, by the normal equations on centred data,
 * {@code w = (Xc^T Xc + l2 I)^-1 Xc^T yc}, {@code b = mean(y) - mean(X) w}, solved by EJML's Cholesky (a QR when
 * {@code l2 = 0} leaves the system only semi-definite).
 *
 * @param weights one per feature
 * @param bias the intercept
 */
public record RidgeRegression(double[] weights, double bias) {

    public static RidgeRegression fit(double[][] x, double[] y, double l2) {
        if (x.length != y.length || x.length == 0) {
            throw new ProbeException("ridge regression needs one target per example and at least one example: got "
                    + x.length + " examples, " + y.length + " targets");
        }
        if (l2 < 0 || Double.isNaN(l2)) {
            throw new ProbeException("ridge penalty must be 0 or more, got " + l2);
        }
        int n = x.length;
        int d = x[0].length;
        double[] meanX = new double[d];
        double meanY = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                meanX[j] += x[i][j] / n;
            }
            meanY += y[i] / n;
        }
        DMatrixRMaj centred = new DMatrixRMaj(n, d);
        DMatrixRMaj target = new DMatrixRMaj(n, 1);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                centred.set(i, j, x[i][j] - meanX[j]);
            }
            target.set(i, 0, y[i] - meanY);
        }
        DMatrixRMaj gram = new DMatrixRMaj(d, d);
        CommonOps_DDRM.multTransA(centred, centred, gram);
        for (int j = 0; j < d; j++) {
            gram.add(j, j, l2);
        }
        DMatrixRMaj moment = new DMatrixRMaj(d, 1);
        CommonOps_DDRM.multTransA(centred, target, moment);
        DMatrixRMaj solution = new DMatrixRMaj(d, 1);
        LinearSolverDense<DMatrixRMaj> solver = l2 > 0 ? LinearSolverFactory_DDRM.chol(d)
                : LinearSolverFactory_DDRM.pseudoInverse(true);
        if (!solver.setA(gram)) {
            throw new ProbeException("ridge regression's normal equations are singular; give a positive penalty");
        }
        solver.solve(moment, solution);
        double[] weights = solution.getData().clone();
        double bias = meanY;
        for (int j = 0; j < d; j++) {
            bias -= meanX[j] * weights[j];
        }
        return new RidgeRegression(weights, bias);
    }

    public double predict(double[] features) {
        double value = bias;
        for (int j = 0; j < weights.length; j++) {
            value += weights[j] * features[j];
        }
        return value;
    }

    /** The coefficient of determination on these examples: {@code 1 - SS_res / SS_tot}. */
    public double rSquared(double[][] x, double[] y) {
        double mean = 0;
        for (double value : y) {
            mean += value / y.length;
        }
        double residual = 0;
        double total = 0;
        for (int i = 0; i < y.length; i++) {
            double error = y[i] - predict(x[i]);
            residual += error * error;
            total += (y[i] - mean) * (y[i] - mean);
        }
        return 1 - residual / total;
    }
}
