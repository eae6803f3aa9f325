package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code LayerLogits} parameter to the logit lens of the point's pass: the residual before each block and at
 * the end, through the final norm and the unembedding. The processor caches the residual stream (and the final norm's
 * scale for {@link FinalNorm#CACHED_SCALE}).
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface LogitLens {

    FinalNorm value() default FinalNorm.RECOMPUTED;
}
