package dev.arrakis.spec;

import java.util.ArrayList;
import java.util.List;

/**
 * What generation settings may say, checked against the model's vocabulary: the rules the annotation processor
 * ({@code @Generate}), the command line ({@code ./arrakis generate}) and the Java API share, so a mistake reads the
 * same wherever it is caught.
 */
public final class GenerationRules {
    private GenerationRules() {}

    /** Which setting a problem is about, so the processor can point at that annotation value. */
    public enum Setting { MAX_NEW_TOKENS, TEMPERATURE, TOP_K, TOP_P, STOP_TOKENS }

    /** One problem and the setting at fault. */
    public record Located(Problem problem, Setting setting) {}

    /**
     * @param model the model's name as messages show it
     * @param vocabSize the model's vocabulary, or 0 when it is not known (top-k and stop tokens then only need to be
     *     non-negative)
     */
    public static List<Located> check(int maxNewTokens, double temperature, int topK, double topP, long[] stopTokens,
            String model, int vocabSize) {
        List<Located> problems = new ArrayList<>();
        if (maxNewTokens < 1) {
            problems.add(new Located(Problem.of(Message.GENERATE_MAX_TOKENS, maxNewTokens), Setting.MAX_NEW_TOKENS));
        }
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            problems.add(new Located(Problem.of(Message.GENERATE_TEMPERATURE, number(temperature)),
                    Setting.TEMPERATURE));
        }
        int largestK = vocabSize > 0 ? vocabSize : Integer.MAX_VALUE;
        if (topK < 0 || topK > largestK) {
            problems.add(new Located(Problem.of(Message.GENERATE_TOP_K, topK, largestK, model), Setting.TOP_K));
        }
        if (!(topP > 0 && topP <= 1)) {
            problems.add(new Located(Problem.of(Message.GENERATE_TOP_P, number(topP)), Setting.TOP_P));
        }
        for (long stop : stopTokens) {
            if (stop < 0 || (vocabSize > 0 && stop >= vocabSize)) {
                problems.add(new Located(Problem.of(Message.GENERATE_STOP_TOKEN, stop, model,
                        (long) (vocabSize > 0 ? vocabSize - 1 : Long.MAX_VALUE)), Setting.STOP_TOKENS));
            }
        }
        return problems;
    }

    /** 0.5 as "0.5" and 2 as "2", not "2.0": the number as a person wrote it. */
    private static String number(double value) {
        return value == Math.rint(value) && !Double.isInfinite(value) ? Long.toString((long) value)
                : Double.toString(value);
    }
}
