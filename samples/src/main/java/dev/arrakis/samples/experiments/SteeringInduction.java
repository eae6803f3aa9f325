package dev.arrakis.samples.experiments;

import dev.arrakis.annotations.Experiment;
import dev.arrakis.annotations.Generate;
import dev.arrakis.annotations.Input;
import dev.arrakis.annotations.Plot;
import dev.arrakis.annotations.Run;
import dev.arrakis.annotations.Steer;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.generation.Generation;
import dev.arrakis.tools.steering.Steering;
import dev.arrakis.tools.steering.SteeringVector;
import dev.arrakis.tools.steering.SteeringVectors;
import java.util.Locale;
import java.util.Random;

/**
 * Steering the induction model ({@code models/induction-2l}) into the wrong copy. The prompt is a 32-token sequence in
 * which tokens 7 and 9 each occur once (followed by 10 and 12), then its repeat up to the 9: an induction head looks
 * back for the earlier 9 and predicts what followed it, 12. We make a contrastive-activation-addition vector (Rimsky
 * et al. 2023): the mean residual entering layer 1 at the last position over 32 random prompts ending in 7, minus the
 * same over the same prompts ending in 9. Added at the last position with a growing coefficient, it should make the
 * model take its current token for a 7 and predict 10 instead of 12. We also make the activation-addition vector of
 * Turner et al. 2023 from the contrast pair "the prompt ending in 7" − "the prompt ending in 9", aligned at the first
 * token: with coefficient 1 at the layer it was read at, it turns one prompt's residual into the other's exactly.
 * {@code steeredAfterSeven} declares the CAA steering with {@code @Steer}, so that {@code ./arrakis run
 * SteeringInduction.steeredAfterSeven coefficient=0.5}, {@code coefficient=0,0.5,1} or {@code layer=0,1} changes or
 * sweeps it; {@code steeredAfterSevenSwept} declares the sweep over the coefficients in the annotation.
 */
@Experiment(config = "models/induction-2l/config.json")
public class SteeringInduction {
    static final int LAYER = 1;
    static final double[] COEFFICIENTS = {0, 0.25, 0.5, 0.75, 1, 1.25, 1.5};
    static final long FIRST = 7;
    static final long SECOND = 9;
    static final long AFTER_FIRST = 10;
    static final long AFTER_SECOND = 12;

    /** (3i + 1) mod 64 for i < 32: 32 distinct tokens, 7 at i = 2 and 9 at i = 24; then its repeat up to the 9. */
    @Input
    TokenBatch prompt() {
        return TokenBatch.of(promptEndingIn(SECOND));
    }

    /** 32 random prompts of the same length ending in 7. */
    @Input
    TokenBatch endingIn7() {
        return randomPromptsEndingIn(FIRST);
    }

    /** The same 32 prompts ending in 9. */
    @Input
    TokenBatch endingIn9() {
        return randomPromptsEndingIn(SECOND);
    }

    /** The CAA vector as an input, for {@code @Steer(vector = "sevenMinusNine")}. */
    @Input
    SteeringVector sevenMinusNine(HookedTransformer model) {
        return meanDifference(model, endingIn7(), endingIn9());
    }

    static long[] promptEndingIn(long last) {
        long[] tokens = new long[32 + 25];
        for (int i = 0; i < 32; i++) {
            tokens[i] = (3L * i + 1) % 64;
        }
        System.arraycopy(tokens, 0, tokens, 32, 25);
        tokens[tokens.length - 1] = last;
        return tokens;
    }

    private static TokenBatch randomPromptsEndingIn(long last) {
        Random random = new Random(15);
        long[][] rows = new long[32][57];
        for (long[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextInt(64);
            }
            row[row.length - 1] = last;
        }
        return TokenBatch.of(rows);
    }

    /** The CAA vector: mean residual entering layer 1 at the last position, prompts ending in 7 minus in 9. */
    static SteeringVector meanDifference(HookedTransformer model, TokenBatch endingIn7, TokenBatch endingIn9) {
        return SteeringVectors.meanDifference(model, endingIn7, endingIn9, LAYER, "hook_resid_pre", -1);
    }

    /** P(next token) at the last position of the prompt, for one token, with the steering applied. */
    static double probability(HookedTransformer model, TokenBatch prompt, Steering steering, long token) {
        try (ForwardResult pass = steering.run(model, prompt)) {
            return pass.logits().get(0, prompt.sequenceLength() - 1).softmax(0).getFloat(token);
        }
    }

    @Run(input = "prompt")
    @Plot(title = "P(10) by CAA coefficient 0, 0.25, ..., 1.5")
    double[] afterSevenByCoefficient(HookedTransformer model, TokenBatch prompt, TokenBatch endingIn7,
            TokenBatch endingIn9) {
        return byCoefficient(model, prompt, meanDifference(model, endingIn7, endingIn9), AFTER_FIRST);
    }

    @Run(input = "prompt")
    double[] afterNineByCoefficient(HookedTransformer model, TokenBatch prompt, TokenBatch endingIn7,
            TokenBatch endingIn9) {
        return byCoefficient(model, prompt, meanDifference(model, endingIn7, endingIn9), AFTER_SECOND);
    }

    private static double[] byCoefficient(HookedTransformer model, TokenBatch prompt, SteeringVector vector,
            long token) {
        double[] probabilities = new double[COEFFICIENTS.length];
        for (int i = 0; i < COEFFICIENTS.length; i++) {
            probabilities[i] = probability(model, prompt,
                    Steering.at(LAYER, vector, COEFFICIENTS[i]).atPositions(-1), token);
        }
        return probabilities;
    }

    /**
     * The same steering declared: P(10) at the last position with the CAA vector added there at layer 1. Its layer
     * and coefficient can be swept or changed from the command line: {@code layer=0,1}, {@code coefficient=0.5},
     * {@code coefficient=0,0.5,1}.
     */
    @Steer(layer = 1, coefficient = 1, vector = "sevenMinusNine", positions = -1)
    @Run(input = "prompt")
    double steeredAfterSeven(Logits logits, TokenBatch prompt) {
        return logits.array().get(0, prompt.sequenceLength() - 1).softmax(0).getFloat(AFTER_FIRST);
    }

    /**
     * The same steering swept over {@link #COEFFICIENTS} by the annotation itself: one point per coefficient, all
     * seven in one batched pass, plotted against the coefficient values. {@code coefficient=0,1} on the command line
     * sweeps other values instead, and with {@code layer=0,1} makes a layer-by-coefficient grid.
     */
    @Steer(layer = 1, coefficient = {0, 0.25, 0.5, 0.75, 1, 1.25, 1.5}, vector = "sevenMinusNine", positions = -1)
    @Run(input = "prompt")
    @Plot(title = "P(10) by CAA coefficient")
    double steeredAfterSevenSwept(Logits logits, TokenBatch prompt) {
        return steeredAfterSeven(logits, prompt);
    }

    /**
     * The same steering during generation: four tokens generated greedily from the prompt, the CAA vector added at
     * the prompt's last position (positions count from the end of the input) in every step's pass. Unsteered the
     * model copies on from the 9 (12, 15, 18, 21); steered it copies on from the 7 (10, 13, 16, 19).
     */
    @Steer(layer = 1, coefficient = 1, vector = "sevenMinusNine", positions = -1)
    @Run(input = "prompt")
    long[] steeredContinuation(@Generate(maxNewTokens = 4) Generation generation) {
        return generation.newTokens(0);
    }

    /** What the two vectors do, in numbers. */
    @Run(input = "prompt")
    String verdict(HookedTransformer model, TokenBatch prompt, TokenBatch endingIn7, TokenBatch endingIn9) {
        SteeringVector caa = meanDifference(model, endingIn7, endingIn9);
        SteeringVector actAdd = SteeringVectors.contrastPair(model, promptEndingIn(FIRST), promptEndingIn(SECOND), 0,
                LAYER, "hook_resid_pre");
        Steering none = Steering.at(LAYER, caa, 0);
        Steering strongest = Steering.at(LAYER, caa, COEFFICIENTS[COEFFICIENTS.length - 1]).atPositions(-1);
        Steering pair = Steering.at(LAYER, actAdd, 1);
        return String.format(Locale.ROOT, "unsteered: P(12) %.3f, P(10) %.3f%n"
                        + "CAA vector (norm %.2f) x %.1f at the last position: P(12) %.3f, P(10) %.3f%n"
                        + "ActAdd pair vector (%d rows, non-zero only at the last: norm %.2f) x 1: P(12) %.3f,"
                        + " P(10) %.3f",
                probability(model, prompt, none, AFTER_SECOND), probability(model, prompt, none, AFTER_FIRST),
                caa.norms()[0], COEFFICIENTS[COEFFICIENTS.length - 1],
                probability(model, prompt, strongest, AFTER_SECOND), probability(model, prompt, strongest, AFTER_FIRST),
                actAdd.rows().length, actAdd.norms()[actAdd.rows().length - 1],
                probability(model, prompt, pair, AFTER_SECOND), probability(model, prompt, pair, AFTER_FIRST));
    }
}
