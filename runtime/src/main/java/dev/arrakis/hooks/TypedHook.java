package dev.arrakis.hooks;

/**
 * A hook point whose activation type is known at compile time: generated hook classes ({@code Gpt2Hooks}) hand these
 * out, so {@code cache.get(hooks.blocks(9).attn().pattern())} is an {@code AttentionPattern} without a cast
 * ({@link ActivationCache#get(TypedHook)}).
 *
 * @param name the full hook name
 * @param type the activation class, e.g. {@code AttentionPattern.class}, or {@code NDArray.class}
 */
public record TypedHook<A>(String name, Class<A> type) {

    public TypedHook {
        java.util.Objects.requireNonNull(name, "name");
        java.util.Objects.requireNonNull(type, "type");
    }
}
