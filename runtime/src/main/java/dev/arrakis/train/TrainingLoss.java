package dev.arrakis.train;

import ai.djl.ndarray.NDArray;
import dev.arrakis.model.TokenBatch;

/**
 * What a training step minimises, from the model's logits on a batch: a differentiable scalar in the logits' manager.
 * The default is every next token's cross-entropy; a task whose rows hold a prompt and one answer scores only the
 * answer (see {@link ModularAdditionTask#answerLoss}).
 */
@FunctionalInterface
public interface TrainingLoss {

    /** The loss of one batch, {@code []}, differentiable with respect to the logits. */
    NDArray of(NDArray logits, TokenBatch batch);
}
