package dev.arrakis.tools.probes;

import ai.djl.ndarray.NDArray;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.model.TokenBatch;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Linear probes on cached activations (the seed's knowledge probing): at each hook point a logistic regression
 * predicts a label per (sequence, position) from the activation there, fitted on a seeded share of the examples and
 * scored on the rest; the same probe fitted on Hewitt and Liang's control task (each token type a random label) gives
 * the control accuracy, and selectivity is the difference. A high accuracy with a high control accuracy says the
 * probe memorised token types, not that the layer encodes the property.
 */
public final class Probes {
    private Probes() {}

    /**
     * @param cache holds each hook, {@code [batch, pos, d]}
     * @param hooks the hook points to probe
     * @param tokens the tokens the cache was computed on: their types drive the control task
     * @param labels {@code [batch][pos]}: the class of each example, or -1 to leave that position out
     * @param classes how many classes there are
     */
    public static ProbeReport classify(ActivationCache cache, List<String> hooks, TokenBatch tokens, int[][] labels,
            int classes, ProbeOptions options) {
        Map<String, NDArray> activations = new LinkedHashMap<>();
        for (String hook : hooks) {
            activations.put(hook, cache.get(hook));
        }
        return classify(activations, tokens, labels, classes, options);
    }

    /**
     * As {@link #classify(ActivationCache, List, TokenBatch, int[][], int, ProbeOptions)} on activations a run method
     * captured ({@code @Capture}), each under the name the report gives it, in order.
     */
    public static ProbeReport classify(Map<String, NDArray> activations, TokenBatch tokens, int[][] labels,
            int classes, ProbeOptions options) {
        List<String> hooks = List.copyOf(activations.keySet());
        List<int[]> examples = examples(tokens, labels);
        int[] real = new int[examples.size()];
        long[] types = new long[examples.size()];
        for (int i = 0; i < real.length; i++) {
            int[] at = examples.get(i);
            real[i] = labels[at[0]][at[1]];
            if (real[i] >= classes) {
                throw new ProbeException("label " + real[i] + " at sequence " + at[0] + ", position " + at[1]
                        + " is not a class 0.." + (classes - 1));
            }
            types[i] = tokens.token(at[0], at[1]);
        }
        int[] control = ControlTask.labels(types, real, options.seed());
        Split split = split(real.length, options);
        int[] trainReal = pick(real, split.train());
        int[] testReal = pick(real, split.test());
        int[] trainControl = pick(control, split.train());
        int[] testControl = pick(control, split.test());
        double majority = majority(trainReal, testReal, classes);
        int count = hooks.size();
        double[] accuracy = new double[count];
        double[] controlAccuracy = new double[count];
        double[] selectivity = new double[count];
        double[][][] weights = new double[count][][];
        double[][] bias = new double[count][];
        for (int h = 0; h < count; h++) {
            double[][] features = features(activations.get(hooks.get(h)), hooks.get(h), examples);
            double[][] train = pick(features, split.train());
            double[][] test = pick(features, split.test());
            LogisticRegression probe = LogisticRegression.fit(train, trainReal, classes, options.l2());
            LogisticRegression controlProbe = LogisticRegression.fit(train, trainControl, classes, options.l2());
            accuracy[h] = probe.accuracy(test, testReal);
            controlAccuracy[h] = controlProbe.accuracy(test, testControl);
            selectivity[h] = accuracy[h] - controlAccuracy[h];
            weights[h] = probe.weights();
            bias[h] = probe.bias();
        }
        return new ProbeReport(List.copyOf(hooks), accuracy, controlAccuracy, selectivity, majority, weights, bias);
    }

    /**
     * Ridge probes for a real-valued target: the held-out coefficient of determination per hook.
     *
     * @param targets {@code [batch][pos]}: the value of each example, or NaN to leave that position out
     * @return {@code R^2} on the held-out examples, per hook
     */
    public static double[] regress(ActivationCache cache, List<String> hooks, double[][] targets,
            ProbeOptions options) {
        List<int[]> examples = new ArrayList<>();
        for (int row = 0; row < targets.length; row++) {
            for (int position = 0; position < targets[row].length; position++) {
                if (!Double.isNaN(targets[row][position])) {
                    examples.add(new int[] {row, position});
                }
            }
        }
        double[] values = examples.stream().mapToDouble(at -> targets[at[0]][at[1]]).toArray();
        Split split = split(values.length, options);
        double[] rSquared = new double[hooks.size()];
        for (int h = 0; h < hooks.size(); h++) {
            double[][] features = features(cache.get(hooks.get(h)), hooks.get(h), examples);
            RidgeRegression probe = RidgeRegression.fit(pick(features, split.train()), pick(values, split.train()),
                    options.l2());
            rSquared[h] = probe.rSquared(pick(features, split.test()), pick(values, split.test()));
        }
        return rSquared;
    }

    /** Which examples are fitted and which scored: a seeded shuffle, the last {@code heldOut} share scored. */
    record Split(int[] train, int[] test) {}

    static Split split(int examples, ProbeOptions options) {
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < examples; i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(options.seed()));
        int tested = (int) Math.round(examples * options.heldOut());
        if (tested < 1 || tested >= examples) {
            throw new ProbeException("cannot hold out " + options.heldOut() + " of " + examples
                    + " examples and keep at least one to fit and one to score");
        }
        int[] train = order.subList(0, examples - tested).stream().mapToInt(Integer::intValue).toArray();
        int[] test = order.subList(examples - tested, examples).stream().mapToInt(Integer::intValue).toArray();
        return new Split(train, test);
    }

    private static List<int[]> examples(TokenBatch tokens, int[][] labels) {
        if (labels.length != tokens.batchSize()) {
            throw new ProbeException("probe labels cover " + labels.length + " sequences, the tokens "
                    + tokens.batchSize());
        }
        List<int[]> examples = new ArrayList<>();
        for (int row = 0; row < labels.length; row++) {
            if (labels[row].length != tokens.sequenceLength()) {
                throw new ProbeException("probe labels of sequence " + row + " cover " + labels[row].length
                        + " positions, the tokens " + tokens.sequenceLength());
            }
            for (int position = 0; position < labels[row].length; position++) {
                if (labels[row][position] >= 0) {
                    examples.add(new int[] {row, position});
                }
            }
        }
        return examples;
    }

    private static double[][] features(NDArray activation, String hook, List<int[]> examples) {
        if (activation.getShape().dimension() != 3) {
            throw new ProbeException("probes read [batch, pos, d] activations; '" + hook + "' has shape "
                    + activation.getShape());
        }
        int positions = (int) activation.getShape().get(1);
        int width = (int) activation.getShape().get(2);
        float[] values = activation.toFloatArray();
        double[][] features = new double[examples.size()][width];
        for (int i = 0; i < features.length; i++) {
            int offset = (examples.get(i)[0] * positions + examples.get(i)[1]) * width;
            for (int j = 0; j < width; j++) {
                features[i][j] = values[offset + j];
            }
        }
        return features;
    }

    private static double majority(int[] train, int[] test, int classes) {
        int[] counts = new int[classes];
        for (int label : train) {
            counts[label]++;
        }
        int most = 0;
        for (int k = 1; k < classes; k++) {
            most = counts[k] > counts[most] ? k : most;
        }
        int hits = 0;
        for (int label : test) {
            hits += label == most ? 1 : 0;
        }
        return (double) hits / test.length;
    }

    private static int[] pick(int[] values, int[] indices) {
        int[] picked = new int[indices.length];
        for (int i = 0; i < indices.length; i++) {
            picked[i] = values[indices[i]];
        }
        return picked;
    }

    private static double[] pick(double[] values, int[] indices) {
        double[] picked = new double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            picked[i] = values[indices[i]];
        }
        return picked;
    }

    private static double[][] pick(double[][] values, int[] indices) {
        double[][] picked = new double[indices.length][];
        for (int i = 0; i < indices.length; i++) {
            picked[i] = values[indices[i]];
        }
        return picked;
    }
}
