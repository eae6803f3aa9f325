package dev.arrakis.train;

import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.lens.NextTokenLoss;

/**
 * Where training batches come from: an endless, seeded stream, so that a run is reproduced by its seed. A model is
 * trained to predict every next token of each batch (see {@link NextTokenLoss}).
 */
@FunctionalInterface
public interface TrainingData {

    /** The next batch; every batch of one stream has the same shape. */
    TokenBatch next();
}
