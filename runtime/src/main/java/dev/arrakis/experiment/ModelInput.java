package dev.arrakis.experiment;

import dev.arrakis.model.TokenBatch;

/**
 * Data an experiment feeds to the model (an IOI batch, a set of prompts) that carries more than its tokens. An
 * {@code @Input} method may return one of these or a plain {@link TokenBatch}.
 */
public interface ModelInput {
    TokenBatch tokens();
}
