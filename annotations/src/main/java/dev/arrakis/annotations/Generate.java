package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code Generation} parameter to a continuation of the point's model input, generated token by token with
 * the run's interventions active at every step (each step then reruns the whole sequence, so an intervention sees
 * every position, numbered from the prompt's start). Every row of the input is a prompt; left padding is honoured.
 * The processor checks the settings against the model: at least one new token, a temperature of at least 0, top-k
 * within the vocabulary, top-p in (0, 1], stop tokens within the vocabulary.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface Generate {

    /** At most this many tokens per row. */
    int maxNewTokens() default 20;

    /** 0 decodes greedily; above 0 samples from {@code softmax(logits / temperature)}. */
    double temperature() default 0;

    /** Sample among the k highest logits only; 0 keeps every token. */
    int topK() default 0;

    /** Sample among the likeliest tokens whose probability reaches p; 1 keeps every token. */
    double topP() default 1;

    /** Seeds the sampling ({@link java.util.SplittableRandom}). */
    long seed() default 0;

    /** A row ends after generating any of these token ids. */
    long[] stopTokens() default {};
}
