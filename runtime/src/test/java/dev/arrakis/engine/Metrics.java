package dev.arrakis.engine;

import ai.djl.ndarray.NDArray;
import dev.arrakis.hooks.Logits;

/** The metric the engine tests compute, both through the engine and by hand. */
final class Metrics {
    static final int TOKEN_A = 5;
    static final int TOKEN_B = 17;

    private Metrics() {}

    /** Mean over the batch of logit(A) - logit(B) at the last position. */
    static double lastLogitDiff(Logits logits) {
        double sum = 0;
        for (int batch = 0; batch < logits.batchSize(); batch++) {
            sum += logits.logitDiff(batch, -1, TOKEN_A, TOKEN_B);
        }
        return sum / logits.batchSize();
    }

    static double lastLogitDiff(NDArray logits) {
        return lastLogitDiff(new Logits(logits));
    }
}
