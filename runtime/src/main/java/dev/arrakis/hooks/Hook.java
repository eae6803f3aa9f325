package dev.arrakis.hooks;

import ai.djl.ndarray.NDArray;

/**
 * Code run at a hook point during a forward pass. It reads the activation and returns either the same array or a
 * replacement of the same shape, which the rest of the forward pass then uses. Arrays a hook creates belong in
 * {@link HookContext#scope()} so they are freed with the forward pass. The activation a hook receives inside a block,
 * and what it computes from it, are freed when that block ends (a pass holds one block's intermediates at a time):
 * a hook that needs one later in the pass keeps a copy ({@code duplicate()} attached to the context's scope).
 */
@FunctionalInterface
public interface Hook {
    NDArray apply(NDArray activation, HookContext context);
}
