package dev.arrakis.engine;

import dev.arrakis.model.HookedTransformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** A test class that runs experiments on the tiny reference checkpoint, loaded before its tests and closed after. */
abstract class TinyModelTest {
    static HookedTransformer model;

    @BeforeAll
    static void loadTinyModel() {
        model = HookedTransformer.load(TestDefinition.CHECKPOINT);
    }

    @AfterAll
    static void closeTinyModel() {
        model.close();
    }
}
