package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code HeadScores} parameter to every head's score for one attention pattern on the point's tokens, as
 * TransformerLens's {@code detect_head} computes it ({@code [layer, head]}, averaged over the batch). The processor
 * caches every layer's {@code attn.hook_pattern}.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface DetectHeads {

    HeadPattern value();

    ErrorMeasure measure() default ErrorMeasure.MUL;

    /** Zero the attention to the first position before scoring (TransformerLens's {@code exclude_bos}). */
    boolean excludeBos() default false;

    /** Zero each query's attention to itself before scoring ({@code exclude_current_token}). */
    boolean excludeCurrentToken() default false;
}
