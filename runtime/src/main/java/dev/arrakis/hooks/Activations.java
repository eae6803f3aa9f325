package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;
import dev.arrakis.ArrakisException;
import dev.arrakis.spec.ActivationKind;
import java.util.Map;
import java.util.function.Function;

/** The one place an array becomes a typed activation, so every typed read checks the same way. */
public final class Activations {
    private static final Map<Class<?>, Function<NDArray, Activation>> CONSTRUCTORS = Map.of(
            Residual.class, Residual::new,
            HeadVectors.class, HeadVectors::new,
            AttentionPattern.class, AttentionPattern::new,
            Neurons.class, Neurons::new,
            NormScale.class, NormScale::new,
            HeadResults.class, HeadResults::new,
            Logits.class, Logits::new);

    private Activations() {}

    /**
     * The array as {@code type}: {@code NDArray} (or a supertype of it) returns the array itself, an activation class
     * wraps it after checking its rank.
     *
     * @throws ArrakisException when {@code type} is neither, or the array's rank does not fit the class
     */
    public static <A> A wrap(Class<A> type, NDArray array) {
        if (type.isInstance(array)) {
            return type.cast(array);
        }
        Function<NDArray, Activation> constructor = CONSTRUCTORS.get(type);
        if (constructor == null) {
            throw new ArrakisException("an activation cannot be read as " + type.getName() + "; use NDArray or one"
                    + " of " + String.join(", ", typeNames()));
        }
        try {
            return type.cast(constructor.apply(array));
        } catch (IllegalArgumentException e) {
            throw new ArrakisException(e.getMessage(), e);
        }
    }

    /** The activation class that holds a kind, e.g. {@code AttentionPattern.class} for {@link ActivationKind#ATTENTION}. */
    public static Class<? extends Activation> typeOf(ActivationKind kind) {
        return switch (kind) {
            case RESIDUAL -> Residual.class;
            case HEAD_VECTORS -> HeadVectors.class;
            case ATTENTION -> AttentionPattern.class;
            case NEURONS -> Neurons.class;
            case NORM_SCALE -> NormScale.class;
            case HEAD_RESULTS -> HeadResults.class;
            case LOGITS -> Logits.class;
        };
    }

    private static java.util.List<String> typeNames() {
        return java.util.Arrays.stream(ActivationKind.values()).map(ActivationKind::typeName).toList();
    }
}
