package dev.arrakis.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Binds a {@code HookedTransformer} parameter to an edited view of the run's model (model surgery): the same weights,
 * shared, with layers deleted, reordered or repeated. Exactly one attribute is given; the build checks it against the
 * model's layers. The view's hook points are numbered as its own layers. It lives for one sweep point.
 *
 * <pre>{@code
 * @Run
 * double withoutLayer1(@Edit(deleteLayers = 1) HookedTransformer shallow, TokenBatch prompts) { ... }
 * }</pre>
 */
@Documented
@Target(ElementType.PARAMETER)
@Retention(RetentionPolicy.CLASS)
public @interface Edit {

    /** Layers to remove; the others keep their order. At least one layer must stay. */
    int[] deleteLayers() default {};

    /** The new order: layer {@code i} of the view is layer {@code permuteLayers[i]}; each layer exactly once. */
    int[] permuteLayers() default {};

    /** A layer to run twice in a row (-1 for none). */
    int duplicateLayer() default -1;
}
