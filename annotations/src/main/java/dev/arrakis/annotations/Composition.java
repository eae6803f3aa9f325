package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code CompositionScores} parameter to the composition scores of every pair of heads, as TransformerLens's
 * {@code all_composition_scores} computes them from the weights ({@code [layer, head, layer, head]}, zero unless the
 * later head is in a later layer). Reads no activation, so it caches nothing.
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface Composition {

    CompositionKind value();
}
