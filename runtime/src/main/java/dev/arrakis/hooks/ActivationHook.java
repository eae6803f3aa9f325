package dev.arrakis.hooks;

/**
 * A hook that sees its activation as the type its hook point holds and returns the same type, so that a hook written
 * for a residual stream cannot be attached to an attention pattern: the compiler refuses it.
 */
@FunctionalInterface
public interface ActivationHook<A extends Activation> {
    A apply(A activation, HookContext context);
}
