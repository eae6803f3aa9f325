package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code HookedTransformer} parameter to a view of the run's model in which attention head {@link #head()} is
 * blended into head {@link #into()} of {@link #layer()}: each of {@code into}'s own slices (W_Q columns, b_Q, W_K,
 * b_K, W_V, b_V, W_O rows) becomes {@code (1 - alpha) * into + alpha * head}. {@code head} and b_O are unchanged;
 * with grouped-query attention the key/value slices are the two heads' key/value heads, blended when they differ.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface BlendHeads {

    int layer();

    /** The head blended in. */
    int head();

    /** The head that changes. */
    int into();

    /** How much of {@link #head()} goes into {@link #into()}: 0 changes nothing, 1 makes it a copy. */
    double alpha() default 0.5;
}
