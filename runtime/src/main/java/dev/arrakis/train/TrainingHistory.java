package dev.arrakis.train;

import dev.arrakis.plot.PlotRequest;
import dev.arrakis.plot.Plots;
import dev.arrakis.util.DidYouMean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.DoubleUnaryOperator;

/**
 * What a training run measured: the loss of every step, and at each evaluation the step, the mean training loss since
 * the previous evaluation and the evaluation's metrics.
 */
public final class TrainingHistory {
    private final double[] stepLosses;
    private final List<Evaluation> evaluations;

    /** One evaluation: metric names in the evaluation's order. */
    public record Evaluation(int step, double meanTrainingLoss, Map<String, Double> metrics) {
        public Evaluation {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        }
    }

    TrainingHistory(double[] stepLosses, List<Evaluation> evaluations) {
        this.stepLosses = stepLosses.clone();
        this.evaluations = List.copyOf(evaluations);
    }

    /** The mean batch loss of step {@code i + 1} at index {@code i}. */
    public double[] stepLosses() {
        return stepLosses.clone();
    }

    public List<Evaluation> evaluations() {
        return evaluations;
    }

    /** The last evaluation; training always ends with one. */
    public Evaluation last() {
        return evaluations.get(evaluations.size() - 1);
    }

    /**
     * The loss curve: at each evaluated step, the mean training loss since the previous evaluation and every metric
     * the evaluation measured, one line each.
     */
    public PlotRequest lossCurve(String title) {
        List<String> ticks = new ArrayList<>();
        Map<String, double[]> series = new LinkedHashMap<>();
        double[] training = new double[evaluations.size()];
        for (int i = 0; i < evaluations.size(); i++) {
            Evaluation evaluation = evaluations.get(i);
            ticks.add(Integer.toString(evaluation.step()));
            training[i] = evaluation.meanTrainingLoss();
            for (Map.Entry<String, Double> metric : evaluation.metrics().entrySet()) {
                double[] values = series.computeIfAbsent(metric.getKey(), name -> filledWithNaN(evaluations.size()));
                values[i] = metric.getValue();
            }
        }
        Map<String, double[]> lines = new LinkedHashMap<>();
        lines.put("training loss", training);
        lines.putAll(series);
        return Plots.line(title, "step", ticks, lines);
    }

    /**
     * Some of the evaluation's metrics against the evaluated step, each passed through {@code scale} (e.g.
     * {@code Math::log10}, since the plots have linear axes), one line each named as the metric.
     *
     * @throws IllegalArgumentException naming a metric that no evaluation measured
     */
    public PlotRequest metricCurve(String title, List<String> metrics, DoubleUnaryOperator scale) {
        List<String> ticks = new ArrayList<>();
        Map<String, double[]> lines = new LinkedHashMap<>();
        for (String metric : metrics) {
            if (evaluations.stream().noneMatch(evaluation -> evaluation.metrics().containsKey(metric))) {
                Set<String> measured = new LinkedHashSet<>();
                evaluations.forEach(evaluation -> measured.addAll(evaluation.metrics().keySet()));
                throw new IllegalArgumentException("no evaluation measured '" + metric + "'"
                        + DidYouMean.hint(metric, measured));
            }
            lines.put(metric, filledWithNaN(evaluations.size()));
        }
        for (int i = 0; i < evaluations.size(); i++) {
            Evaluation evaluation = evaluations.get(i);
            ticks.add(Integer.toString(evaluation.step()));
            for (String metric : metrics) {
                Double value = evaluation.metrics().get(metric);
                if (value != null) {
                    lines.get(metric)[i] = scale.applyAsDouble(value);
                }
            }
        }
        return Plots.line(title, "step", ticks, lines);
    }

    private static double[] filledWithNaN(int length) {
        double[] values = new double[length];
        Arrays.fill(values, Double.NaN);
        return values;
    }
}
