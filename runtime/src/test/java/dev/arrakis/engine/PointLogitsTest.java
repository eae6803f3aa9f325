package dev.arrakis.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import dev.arrakis.hooks.Logits;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A sweep point's logits are its rows of the batched pass, unembedded as it reads them and no other point's. */
class PointLogitsTest {
    private static final TokenBatch PROMPTS = TokenBatch.of(new long[] {5, 17, 3, 99, 42}, new long[] {1, 2, 3, 4, 5});

    @Test
    void aPointUnembedsOnlyThePositionItReads() {
        try (HookedTransformer model = HookedTransformer.load(TestDefinition.CHECKPOINT);
                ForwardResult pass = model.forward(RunExecution.repeat(PROMPTS, 3));
                NDManager scope = pass.newScope()) {
            // point 1 of three owns rows 2..4 of the pass
            PointContext point = new PointContext("run", model, pass, 2, 4, scope, Map.of(), Map.of(), PROMPTS,
                    List.of(), null, length -> Map.of());
            Logits logits = point.logits();
            float diff = logits.logitDiff(1, -1, 3, 7);
            assertEquals(0, logits.unembeddedRows(), "rows the point unembedded for a logit difference (two tokens)");
            float[] row = logits.at(1, -1);
            assertEquals(2, logits.unembeddedRows(),
                    "rows the point unembedded after reading one position: its 2 examples there, no other point's");
            assertEquals(0, pass.lazyLogits().unembeddedRows(), "rows of the whole pass unembedded");
            float[] expected = pass.logits().get(new NDIndex("3, -1")).toFloatArray();
            assertArrayEquals(expected, row, 1e-5f, "the point's example 1 is row 3 of the pass");
            assertEquals(expected[3] - expected[7], diff, 1e-5f, "logit 3 - logit 7 at the last position");
        }
    }
}
