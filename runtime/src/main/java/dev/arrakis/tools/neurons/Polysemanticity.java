package dev.arrakis.tools.neurons;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.HookPoints;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * How many different kinds of token a unit responds to: the activation-weighted entropy over token classes, given as
 * its exponential, the effective number of classes (the Hill number of order 1; Hill 1973, "Diversity and evenness").
 *
 * <p>For one unit, each token where it is above the threshold adds its activation's excess {@code a - threshold} to the
 * token's class (by default the token id itself). With {@code p_c} the share of the unit's total excess that fell on
 * class {@code c}, {@code H = -Σ p_c ln p_c} and the score is {@code exp(H)}: 1 for a unit that fires on one class
 * only, {@code n} for one that fires equally on {@code n} classes, in between otherwise. A unit that never exceeds
 * the threshold scores NaN.
 *
 * <p>Memory is one number per (tracked unit, class it fired on): track the units you study, or pass coarse classes
 * (e.g. a part-of-speech id per token), for wide layers over large vocabularies.
 */
public final class Polysemanticity {
    private final int[] units;
    private final double threshold;
    private final LongUnaryOperator tokenClass;
    private final List<Map<Long, double[]>> massByClass;
    private int width = -1;

    /**
     * @param units the units to track (indices into the activation's last axis)
     * @param threshold activation above which a unit counts as firing
     * @param tokenClass the class of a token id; {@code LongUnaryOperator.identity()} for token types
     */
    public Polysemanticity(int[] units, double threshold, LongUnaryOperator tokenClass) {
        if (units.length == 0) {
            throw new ArrakisException("track at least one unit");
        }
        this.units = units.clone();
        this.threshold = threshold;
        this.tokenClass = tokenClass;
        massByClass = java.util.stream.IntStream.range(0, units.length)
                .<Map<Long, double[]>>mapToObj(unit -> new HashMap<>()).toList();
    }

    /** The hook to cache: {@code hook} itself, checked against the model. */
    public static List<String> requiredHooks(HookPoints points, String hook) {
        return DatasetActivations.requiredHooks(points, hook);
    }

    /** Streams {@code batches} through {@code model}, scoring every unit at {@code hook} by token type. */
    public static Polysemanticity over(HookedTransformer model, String hook, int[] units, Iterable<TokenBatch> batches,
            double threshold) {
        Polysemanticity score = new Polysemanticity(units, threshold, LongUnaryOperator.identity());
        DatasetActivations.forEachBatch(model, batches, requiredHooks(model.hookPoints(), hook),
                (batch, cache) -> score.add(cache.get(hook), batch));
        return score;
    }

    /** Adds one batch's activation {@code [batch, pos, width]}. */
    public void add(NDArray activation, TokenBatch batch) {
        add(TokenActivations.of(activation, batch));
    }

    public void add(TokenActivations activations) {
        if (width < 0) {
            for (int unit : units) {
                if (unit < 0 || unit >= activations.width()) {
                    throw new ArrakisException("unit " + unit + " does not exist: the activation has units 0.."
                            + (activations.width() - 1));
                }
            }
            width = activations.width();
        } else if (activations.width() != width) {
            throw new ArrakisException("the activation has width " + activations.width() + ", earlier ones " + width);
        }
        TokenBatch tokens = activations.tokens();
        activations.forEachToken((row, position, values, offset) -> {
            long type = tokenClass.applyAsLong(tokens.token(row, position));
            for (int tracked = 0; tracked < units.length; tracked++) {
                double excess = values[offset + units[tracked]] - threshold;
                if (excess > 0) {
                    massByClass.get(tracked).computeIfAbsent(type, key -> new double[1])[0] += excess;
                }
            }
        });
    }

    /** The tracked units, in the order of the scores. */
    public int[] units() {
        return units.clone();
    }

    /** Per tracked unit, the activation-weighted entropy over classes, in nats. */
    public double[] entropy() {
        double[] entropy = new double[units.length];
        for (int tracked = 0; tracked < units.length; tracked++) {
            double total = 0;
            for (double[] mass : massByClass.get(tracked).values()) {
                total += mass[0];
            }
            double h = 0;
            for (double[] mass : massByClass.get(tracked).values()) {
                double p = mass[0] / total;
                h -= p * Math.log(p);
            }
            entropy[tracked] = total > 0 ? h : Double.NaN;
        }
        return entropy;
    }

    /** Per tracked unit, {@code exp(entropy)}: the effective number of classes it fires on. */
    public double[] effectiveClasses() {
        return java.util.Arrays.stream(entropy()).map(Math::exp).toArray();
    }

    /** Per tracked unit, how many distinct classes it fired on at all. */
    public int[] distinctClasses() {
        return massByClass.stream().mapToInt(Map::size).toArray();
    }
}
