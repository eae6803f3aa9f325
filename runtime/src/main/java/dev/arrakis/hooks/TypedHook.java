package dev.arrakis.hooks;

/**
 * A hook point whose activation type is known at compile time: generated hook classes ({@code Gpt2Hooks}) hand these
 * out, so {@code cache.get(hooks.blocks(9).attn().pattern())} is an {@code AttentionPattern} without a cast.
 *
 * @param name the full hook name
 * @param type the activation class, e.g. {@code AttentionPattern.class}
 */
public record TypedHook<A>(String name, Class<A> type) {}
