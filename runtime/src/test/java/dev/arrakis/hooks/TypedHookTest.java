package dev.arrakis.hooks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Hooks and caches addressed by {@link TypedHook}: the same numbers as by name, with the activation's own type. */
class TypedHookTest {
    private static final TokenBatch TOKENS = TokenBatch.of(new long[] {5, 17, 3, 99, 42});
    private static final TypedHook<HeadVectors> Z = new TypedHook<>("blocks.1.attn.hook_z", HeadVectors.class);
    private static final TypedHook<AttentionPattern> PATTERN =
            new TypedHook<>("blocks.1.attn.hook_pattern", AttentionPattern.class);
    private static HookedTransformer model;

    @BeforeAll
    static void load() {
        model = HookedTransformer.load(Path.of("src/test/resources/reference/gpt2-prefixed"));
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @Test
    void typedHookGivesTheSameLogitsAsTheNamedHook() {
        float[] byName;
        try (ForwardResult run = model.run(TOKENS, RunOptions.none().withHook(Z.name(), Interventions.zeroHeads(2)))) {
            byName = run.logits().toFloatArray();
        }
        ActivationHook<HeadVectors> zeroHeadTwo = (z, context) -> {
            assertArrayEquals(new long[] {1, 5, 4, 16}, z.shape());
            return new HeadVectors(Interventions.zeroHeads(2).apply(z.array(), context));
        };
        try (ForwardResult run = model.run(TOKENS, RunOptions.none().withHook(Z, zeroHeadTwo).withCache(PATTERN))) {
            assertArrayEquals(byName, run.logits().toFloatArray(), 0f);
            AttentionPattern pattern = run.cache().get(PATTERN);
            assertEquals(1f, pattern.array().get(0, 3, 4).sum().getFloat(), 1e-5f);
        }
    }

    @Test
    void aHookReturningNothingIsNamed() {
        ActivationHook<HeadVectors> broken = (z, context) -> null;
        HookException e = assertThrows(HookException.class,
                () -> model.run(TOKENS, RunOptions.none().withHook(Z, broken)).close());
        assertTrue(e.getMessage().contains("blocks.1.attn.hook_z") && e.getMessage().contains("returned null"),
                e.getMessage());
    }
}
