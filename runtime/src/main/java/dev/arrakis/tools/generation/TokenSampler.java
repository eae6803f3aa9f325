package dev.arrakis.tools.generation;

import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Chooses the next token from one row's logits as HF's {@code generate} does: greedy is the first index of the
 * largest logit ({@code argmax}); sampling divides by the temperature, keeps the top-k and then the top-p tokens
 * (HF's {@code TopKLogitsWarper} and {@code TopPLogitsWarper}), and draws from the softmax over what is kept with one
 * {@code nextDouble()} of the given {@link SplittableRandom}, walking the kept tokens in id order.
 */
public final class TokenSampler {
    private final GenerationSettings settings;

    public TokenSampler(GenerationSettings settings) {
        this.settings = settings;
    }

    /** The chosen token; draws from {@code random} only when sampling. */
    public int choose(float[] logits, SplittableRandom random) {
        if (settings.greedy()) {
            return argmax(logits);
        }
        double[] probabilities = probabilities(logits);
        double draw = random.nextDouble();
        double cumulative = 0;
        int last = -1;
        for (int token = 0; token < probabilities.length; token++) {
            if (probabilities[token] > 0) {
                cumulative += probabilities[token];
                last = token;
                if (draw < cumulative) {
                    return token;
                }
            }
        }
        return last;
    }

    /**
     * The sampling distribution: softmax of the logits over the temperature, zero outside the kept tokens,
     * renormalised. Greedy puts all mass on the argmax.
     */
    public double[] probabilities(float[] logits) {
        double[] result = new double[logits.length];
        if (settings.greedy()) {
            result[argmax(logits)] = 1;
            return result;
        }
        boolean[] kept = kept(logits);
        double[] scaled = scaled(logits);
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < logits.length; t++) {
            if (kept[t]) {
                max = Math.max(max, scaled[t]);
            }
        }
        double total = 0;
        for (int t = 0; t < logits.length; t++) {
            result[t] = kept[t] ? Math.exp(scaled[t] - max) : 0;
            total += result[t];
        }
        for (int t = 0; t < logits.length; t++) {
            result[t] /= total;
        }
        return result;
    }

    /** Which tokens sampling may choose after top-k and top-p (all of them when neither restricts). */
    public boolean[] kept(float[] logits) {
        double[] scaled = scaled(logits);
        boolean[] kept = new boolean[logits.length];
        Arrays.fill(kept, true);
        int k = settings.topK();
        if (k > 0 && k < logits.length) {
            double[] sorted = scaled.clone();
            Arrays.sort(sorted);
            double threshold = sorted[sorted.length - k];
            for (int t = 0; t < logits.length; t++) {
                kept[t] = scaled[t] >= threshold;
            }
        }
        if (settings.topP() < 1) {
            keepNucleus(scaled, kept, settings.topP());
        }
        return kept;
    }

    /**
     * HF's top-p: sort the kept tokens by probability ascending, drop those whose cumulative probability is at most
     * {@code 1 - p}, and never drop the most probable one.
     */
    private static void keepNucleus(double[] scaled, boolean[] kept, double p) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < scaled.length; t++) {
            if (kept[t]) {
                max = Math.max(max, scaled[t]);
            }
        }
        double total = 0;
        double[] weight = new double[scaled.length];
        for (int t = 0; t < scaled.length; t++) {
            weight[t] = kept[t] ? Math.exp(scaled[t] - max) : 0;
            total += weight[t];
        }
        double finalTotal = total;
        int[] ascending = IntStream.range(0, scaled.length).filter(t -> kept[t]).boxed()
                .sorted(Comparator.comparingDouble(t -> scaled[t])).mapToInt(Integer::intValue).toArray();
        double cumulative = 0;
        for (int i = 0; i < ascending.length - 1; i++) {
            cumulative += weight[ascending[i]] / finalTotal;
            if (cumulative <= 1 - p) {
                kept[ascending[i]] = false;
            }
        }
    }

    private double[] scaled(float[] logits) {
        double[] scaled = new double[logits.length];
        for (int t = 0; t < logits.length; t++) {
            scaled[t] = logits[t] / settings.temperature();
        }
        return scaled;
    }

    static int argmax(float[] logits) {
        int best = 0;
        for (int t = 1; t < logits.length; t++) {
            if (logits[t] > logits[best]) {
                best = t;
            }
        }
        return best;
    }
}
