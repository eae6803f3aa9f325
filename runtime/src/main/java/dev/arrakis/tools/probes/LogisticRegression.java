package dev.arrakis.tools.probes;

import org.ejml.data.DMatrixRMaj;
import org.ejml.dense.row.factory.LinearSolverFactory_DDRM;
import org.ejml.interfaces.linsol.LinearSolverDense;

/**
 * Multinomial logistic regression, the linear probe for classes, fitted by Newton's method. It minimises the mean
 * cross-entropy plus {@code (l2 / 2) ||W||^2} (intercepts not penalised); the last class is the reference, whose
 * logit is 0, so two classes are ordinary logistic regression and the optimum is unique when {@code l2 > 0}. Each
 * Newton step solves the exact Hessian's system with EJML (Cholesky), halving the step until the objective falls; it
 * stops when no gradient entry exceeds 1e-10 or after 100 steps. Newton rather than gradient descent because probes
 * are small ({@code d_model x classes} parameters) and a converged optimum is what makes probes comparable across
 * layers.
 *
 * @param weights {@code [class][feature]}; the reference class's row is zeros
 * @param bias one per class; the reference class's is 0
 */
public record LogisticRegression(double[][] weights, double[] bias) {
    private static final int MAX_STEPS = 100;
    private static final double GRADIENT_TOLERANCE = 1e-10;

    public static LogisticRegression fit(double[][] x, int[] y, int classes, double l2) {
        if (x.length != y.length || x.length == 0) {
            throw new ProbeException("logistic regression needs one label per example and at least one example: got "
                    + x.length + " examples, " + y.length + " labels");
        }
        if (classes < 2) {
            throw new ProbeException("logistic regression needs at least 2 classes, got " + classes);
        }
        if (l2 < 0 || Double.isNaN(l2)) {
            throw new ProbeException("logistic regression penalty must be 0 or more, got " + l2);
        }
        for (int i = 0; i < y.length; i++) {
            if (y[i] < 0 || y[i] >= classes) {
                throw new ProbeException("label " + y[i] + " of example " + i + " is not a class 0.." + (classes - 1));
            }
        }
        int n = x.length;
        int p = x[0].length + 1;
        int free = classes - 1;
        int size = free * p;
        double[] theta = new double[size];
        double objective = objective(x, y, classes, l2, theta);
        for (int step = 0; step < MAX_STEPS; step++) {
            double[] gradient = new double[size];
            DMatrixRMaj hessian = new DMatrixRMaj(size, size);
            for (int i = 0; i < n; i++) {
                double[] probabilities = probabilities(x[i], theta, classes, p);
                for (int k = 0; k < free; k++) {
                    double residual = probabilities[k] - (y[i] == k ? 1 : 0);
                    for (int j = 0; j < p; j++) {
                        gradient[k * p + j] += residual * feature(x[i], j) / n;
                    }
                    for (int l = 0; l < free; l++) {
                        double curvature = probabilities[k] * ((k == l ? 1 : 0) - probabilities[l]) / n;
                        if (curvature == 0) {
                            continue;
                        }
                        for (int j = 0; j < p; j++) {
                            double left = curvature * feature(x[i], j);
                            for (int m = 0; m < p; m++) {
                                hessian.add(k * p + j, l * p + m, left * feature(x[i], m));
                            }
                        }
                    }
                }
            }
            double largest = 0;
            for (int k = 0; k < free; k++) {
                for (int j = 0; j < p - 1; j++) {
                    gradient[k * p + j] += l2 * theta[k * p + j];
                    hessian.add(k * p + j, k * p + j, l2);
                }
            }
            for (double value : gradient) {
                largest = Math.max(largest, Math.abs(value));
            }
            if (largest < GRADIENT_TOLERANCE) {
                break;
            }
            LinearSolverDense<DMatrixRMaj> solver = LinearSolverFactory_DDRM.symmPosDef(size);
            if (!solver.setA(hessian)) {
                throw new ProbeException("logistic regression's Hessian is singular (separable classes or constant"
                        + " features); give a positive penalty l2");
            }
            DMatrixRMaj direction = new DMatrixRMaj(size, 1);
            solver.solve(new DMatrixRMaj(size, 1, true, gradient), direction);
            double scale = 1;
            double[] candidate = new double[size];
            double next;
            do {
                for (int i = 0; i < size; i++) {
                    candidate[i] = theta[i] - scale * direction.get(i, 0);
                }
                next = objective(x, y, classes, l2, candidate);
                scale /= 2;
            } while (next > objective && scale > 1e-12);
            if (next > objective) {
                break;
            }
            theta = candidate;
            objective = next;
        }
        double[][] weights = new double[classes][p - 1];
        double[] bias = new double[classes];
        for (int k = 0; k < free; k++) {
            System.arraycopy(theta, k * p, weights[k], 0, p - 1);
            bias[k] = theta[k * p + p - 1];
        }
        return new LogisticRegression(weights, bias);
    }

    /** The class probabilities of one example. */
    public double[] probabilities(double[] features) {
        double[] logits = new double[bias.length];
        for (int k = 0; k < logits.length; k++) {
            logits[k] = bias[k];
            for (int j = 0; j < features.length; j++) {
                logits[k] += weights[k][j] * features[j];
            }
        }
        return softmax(logits);
    }

    public int predict(double[] features) {
        double[] probabilities = probabilities(features);
        int best = 0;
        for (int k = 1; k < probabilities.length; k++) {
            if (probabilities[k] > probabilities[best]) {
                best = k;
            }
        }
        return best;
    }

    /** The share of examples whose predicted class is their label. */
    public double accuracy(double[][] x, int[] y) {
        int correct = 0;
        for (int i = 0; i < x.length; i++) {
            correct += predict(x[i]) == y[i] ? 1 : 0;
        }
        return (double) correct / x.length;
    }

    private static double feature(double[] row, int j) {
        return j < row.length ? row[j] : 1;
    }

    private static double[] probabilities(double[] row, double[] theta, int classes, int p) {
        double[] logits = new double[classes];
        for (int k = 0; k < classes - 1; k++) {
            for (int j = 0; j < p; j++) {
                logits[k] += theta[k * p + j] * feature(row, j);
            }
        }
        return softmax(logits);
    }

    private static double objective(double[][] x, int[] y, int classes, double l2, double[] theta) {
        int p = x[0].length + 1;
        double loss = 0;
        for (int i = 0; i < x.length; i++) {
            loss -= Math.log(probabilities(x[i], theta, classes, p)[y[i]]) / x.length;
        }
        double penalty = 0;
        for (int k = 0; k < classes - 1; k++) {
            for (int j = 0; j < p - 1; j++) {
                penalty += theta[k * p + j] * theta[k * p + j];
            }
        }
        return loss + l2 / 2 * penalty;
    }

    private static double[] softmax(double[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (double logit : logits) {
            max = Math.max(max, logit);
        }
        double total = 0;
        double[] result = new double[logits.length];
        for (int k = 0; k < logits.length; k++) {
            result[k] = Math.exp(logits[k] - max);
            total += result[k];
        }
        for (int k = 0; k < logits.length; k++) {
            result[k] /= total;
        }
        return result;
    }
}
