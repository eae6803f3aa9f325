package dev.arrakis.tools;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;

/**
 * DJL allocates an op's result in its receiver's manager; a tool that computed directly on cached activations or
 * weights would leave its temporaries in the cache's or the model's memory. Tools take views owned by a scope of
 * their own first, compute there, and attach only what they return to the caller's manager.
 */
public final class ScopedArrays {
    private ScopedArrays() {}

    /** A view of {@code array} owned by {@code scope}: ops on it allocate in {@code scope}. */
    public static NDArray view(NDArray array, NDManager scope) {
        return array.get(scope, new NDIndex("..."));
    }

    /** A weight as f32 in {@code scope}: caches hold f32 whatever precision the model computes in. */
    public static NDArray weight(NDArray weight, NDManager scope) {
        return view(weight, scope).toType(DataType.FLOAT32, false);
    }
}
