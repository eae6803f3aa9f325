package dev.arrakis.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.NativeResources;
import org.junit.jupiter.api.Test;

/**
 * Reading numbers out of an activation leaves nothing behind on its array's manager: a long-lived cache read many
 * times would otherwise grow by one slice per read until the manager closes.
 */
class ActivationReadsTest {

    @Test
    void readingValuesLeavesNoSlicesOnTheActivationsManager() {
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] values = new float[2 * 3 * 4];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            NDArray array = manager.create(values, new Shape(2, 3, 4));
            Logits logits = new Logits(array);
            AttentionPattern pattern = new AttentionPattern(manager.create(values, new Shape(1, 2, 3, 4)));
            int before = NativeResources.attachedCount(manager);
            for (int read = 0; read < 100; read++) {
                assertArrayEquals(new float[] {20, 21, 22, 23}, logits.at(1, -1), "logits at (1, last)");
                assertEquals(5f - 4f, logits.logitDiff(0, 1, 1, 0), "logit difference at (0, 1)");
                assertEquals(13f, logits.get(1, 0, 1), "value at (1, 0, 1)");
                assertEquals(16f, pattern.matrix(0, 1)[1][0], "pattern of head 1 at query 1, key 0");
            }
            assertEquals(before, NativeResources.attachedCount(manager),
                    "arrays on the manager before and after 100 reads of each kind");
        }
    }
}
