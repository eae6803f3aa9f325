package dev.arrakis;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDManager;
import java.lang.reflect.Field;
import java.util.Map;

/** What a DJL manager still holds, for tests that prove native memory is handed back. */
public final class NativeResources {
    private NativeResources() {}

    /** Arrays and sub-managers attached to the manager (DJL keeps them in a protected map). */
    public static int attachedCount(NDManager manager) {
        try {
            Field resources = BaseNDManager.class.getDeclaredField("resources");
            resources.setAccessible(true);
            return ((Map<?, ?>) resources.get(manager)).size();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's BaseNDManager changed; update this probe", e);
        }
    }
}
