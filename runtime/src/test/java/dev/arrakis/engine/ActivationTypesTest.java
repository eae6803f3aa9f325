package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.arrakis.ArrakisException;
import dev.arrakis.hooks.Activation;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.Activations;
import dev.arrakis.hooks.AttentionPattern;
import dev.arrakis.hooks.HeadVectors;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.Neurons;
import dev.arrakis.hooks.Residual;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ActivationKind;
import org.junit.jupiter.api.Test;

/** The typed activation classes: one per kind, and their accessors. */
class ActivationTypesTest {

    @Test
    void everyActivationKindHasItsClass() throws Exception {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            for (ActivationKind kind : ActivationKind.values()) {
                Class<?> type = Class.forName(ActivationKind.typePackage() + "." + kind.typeName());
                assertSame(type, Activations.typeOf(kind));
                Activation activation = wrapAtSomeRank(type.asSubclass(Activation.class), manager);
                assertEquals(kind, activation.kind(), type.getName());
            }
        }
    }

    private static Activation wrapAtSomeRank(Class<? extends Activation> type, NDManager manager) {
        for (int rank = 3; rank <= 4; rank++) {
            long[] shape = new long[rank];
            java.util.Arrays.fill(shape, 2);
            try {
                return Activations.wrap(type, manager.zeros(new Shape(shape)));
            } catch (ArrakisException wrongRank) {
                // the other rank
            }
        }
        throw new AssertionError(type + " takes neither rank 3 nor rank 4");
    }

    @Test
    void wrapReturnsArraysAsTheyAreAndRefusesTheWrongRankOrType() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            NDArray array = manager.zeros(new Shape(1, 2, 3));
            assertSame(array, Activations.wrap(NDArray.class, array));
            ArrakisException rank = assertThrows(ArrakisException.class,
                    () -> Activations.wrap(AttentionPattern.class, array));
            assertEquals("AttentionPattern needs 4 axes, got (1, 2, 3)", rank.getMessage());
            assertThrows(ArrakisException.class, () -> Activations.wrap(String.class, array));
        }
    }

    @Test
    void accessorsReadTheRightSlices() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float[] values = new float[2 * 3 * 4];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            Logits logits = new Logits(manager.create(values, new Shape(2, 3, 4)));
            assertArrayEquals(new float[] {20, 21, 22, 23}, logits.at(1, -1));
            assertEquals(-2f, logits.logitDiff(0, 1, 4 - 3, 3));
            assertArrayEquals(new long[] {2, 3, 4}, logits.shape());
            assertEquals(2, logits.batchSize());
            Residual residual = new Residual(manager.create(values, new Shape(2, 3, 4)));
            assertArrayEquals(new float[] {4, 5, 6, 7}, residual.at(0, 1));
            Neurons neurons = new Neurons(manager.create(values, new Shape(2, 3, 4)));
            assertArrayEquals(new float[] {2, 6, 10, 14, 18, 22}, neurons.neuron(2).toFloatArray());
            AttentionPattern pattern = new AttentionPattern(manager.create(values, new Shape(1, 2, 3, 4)));
            assertArrayEquals(new long[] {1, 3, 4}, pattern.head(1).getShape().getShape());
            assertArrayEquals(new float[] {16, 17, 18, 19}, pattern.matrix(0, 1)[1]);
            HeadVectors heads = new HeadVectors(manager.create(values, new Shape(1, 2, 3, 4)));
            assertArrayEquals(new float[] {8, 9, 10, 11, 20, 21, 22, 23}, heads.head(2).toFloatArray());
            assertThrows(IndexOutOfBoundsException.class, () -> pattern.head(2));
            assertThrows(IndexOutOfBoundsException.class, () -> logits.at(2, 0));
        }
    }

    @Test
    void aCacheIsReadByTypedHookAndByRows() {
        try (HookedTransformer model = HookedTransformer.load(TestDefinition.CHECKPOINT);
                ForwardResult result = model.runWithCache(TokenBatch.of(new long[] {1, 2, 3}, new long[] {4, 5, 6}),
                        "blocks.0.attn.hook_pattern");
                NDManager scope = result.logits().getManager().newSubManager()) {
            ActivationCache cache = result.cache();
            TypedHook<AttentionPattern> pattern = new TypedHook<>("blocks.0.attn.hook_pattern", AttentionPattern.class);
            assertEquals(2, cache.get(pattern).batchSize());
            ActivationCache secondRow = cache.rows(1, 2, scope);
            assertEquals(cache.names(), secondRow.names());
            assertArrayEquals(cache.get(pattern.name()).get(1).toFloatArray(),
                    secondRow.get(pattern).array().get(0).toFloatArray());
            assertThrows(ArrakisException.class, () -> secondRow.get("blocks.0.hook_resid_pre"));
            secondRow.close();
        }
    }
}
