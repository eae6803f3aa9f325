package dev.arrakis.hooks;

import ai.djl.ndarray.NDManager;
import dev.arrakis.spec.HookPoint;

/**
 * Where a hook is running.
 *
 * @param point the hook point being visited
 * @param scope the forward pass's own memory scope, closed when the pass ends
 */
public record HookContext(HookPoint point, NDManager scope) {}
