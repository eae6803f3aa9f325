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
        return resources(manager).size();
    }

    /** Arrays attached to the manager or to any manager under it, counted one by one. */
    public static int arraysUnder(NDManager manager) {
        int arrays = 0;
        for (Object resource : resources(manager).values()) {
            arrays += resource instanceof NDManager child ? arraysUnder(child) : 1;
        }
        return arrays;
    }

    private static Map<?, ?> resources(NDManager manager) {
        try {
            Field resources = BaseNDManager.class.getDeclaredField("resources");
            resources.setAccessible(true);
            return (Map<?, ?>) resources.get(manager);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("DJL's BaseNDManager changed; update this probe", e);
        }
    }
}
