package dev.arrakis.train;

import ai.djl.ndarray.NDArray;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import dev.arrakis.model.ForwardResult;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.tools.gradients.GradientTurns;
import dev.arrakis.tools.lens.NextTokenLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Trains a {@link HookedTransformer} in place on next-token cross-entropy, with DJL's autograd through the model's
 * own forward pass: every canonical weight is a parameter. Each step's activations, loss and gradient handles are
 * closed before the next step; the optimiser's state (two arrays per weight for Adam) lives with the weights.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder().steps(2_000).learningRate(1e-3f).warmupSteps(100)
 *         .evaluateEvery(100, m -> task.score(m, 256, 7).asMetrics()).build();
 * TrainingHistory history = trainer.train(model, task.batches(32, 1));
 * }</pre>
 *
 * <p>Weights are updated in place, outside gradient recording; hooks that replace activations are not applied while
 * training, and the per-head output view ({@code hook_result}) is not differentiable.
 */
public final class Trainer {
    private final int steps;
    private final Optimizer optimizer;
    private final int evaluateEvery;
    private final Function<HookedTransformer, Map<String, Double>> evaluation;
    private final int checkpointEvery;
    private final Path checkpointDirectory;
    private final Predicate<String> frozen;
    private final TrainingLoss loss;

    private Trainer(Builder builder) {
        this.steps = builder.steps;
        Tracker afterWarmup = builder.cooldownSteps == 0 ? Tracker.fixed(builder.learningRate)
                : cooldown(builder.learningRate, builder.steps - builder.warmupSteps, builder.cooldownSteps);
        this.optimizer = builder.optimizer != null ? builder.optimizer
                : Optimizer.adamW()
                        .optLearningRateTracker(builder.warmupSteps == 0 ? afterWarmup
                                : Tracker.warmUp().setMainTracker(afterWarmup)
                                        .optWarmUpSteps(builder.warmupSteps).optWarmUpBeginValue(0f).build())
                        .optWeightDecays(builder.weightDecay)
                        .optBeta2(builder.beta2)
                        .build();
        this.evaluateEvery = builder.evaluateEvery;
        this.evaluation = builder.evaluation;
        this.checkpointEvery = builder.checkpointEvery;
        this.checkpointDirectory = builder.checkpointDirectory;
        this.frozen = builder.frozen;
        this.loss = builder.loss;
    }

    /**
     * The learning rate after warm-up: constant, then falling linearly over the last {@code cooldown} of
     * {@code updates} updates to {@code rate / cooldown} at the last. DJL counts updates from 1 and gives the tracker
     * behind a warm-up the count less the warm-up's steps.
     */
    static Tracker cooldown(float rate, int updates, int cooldown) {
        return update -> rate * Math.min(1f, (float) (updates - update + 1) / cooldown);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Trains for the configured steps with no listener. */
    public TrainingHistory train(HookedTransformer model, TrainingData data) {
        return train(model, data, new TrainingListener() {});
    }

    /**
     * Runs the steps, evaluating every {@code evaluateEvery} steps and after the last, and checkpointing every
     * {@code checkpointEvery} steps and after the last when a checkpoint directory is set.
     */
    public TrainingHistory train(HookedTransformer model, TrainingData data, TrainingListener listener) {
        Map<String, NDArray> parameters = parameters(model, frozen);
        double[] losses = new double[steps];
        List<TrainingHistory.Evaluation> evaluations = new ArrayList<>();
        int sinceEvaluation = 0;
        double lossSinceEvaluation = 0;
        listener.started(steps);
        for (int step = 1; step <= steps; step++) {
            double loss = step(model, parameters, data.next());
            if (!Double.isFinite(loss)) {
                throw new TrainingException("training diverged at step " + step + ": the batch loss is " + loss
                        + "; lower the learning rate or add warm-up steps");
            }
            losses[step - 1] = loss;
            lossSinceEvaluation += loss;
            sinceEvaluation++;
            listener.stepped(step, loss);
            boolean last = step == steps;
            if (step % evaluateEvery == 0 || last) {
                Map<String, Double> metrics = evaluation.apply(model);
                evaluations.add(new TrainingHistory.Evaluation(step, lossSinceEvaluation / sinceEvaluation, metrics));
                listener.evaluated(step, metrics);
                lossSinceEvaluation = 0;
                sinceEvaluation = 0;
            }
            if (checkpointDirectory != null && (last || checkpointEvery > 0 && step % checkpointEvery == 0)) {
                ToyModels.save(model, checkpointDirectory);
                listener.checkpointed(step, checkpointDirectory);
            }
        }
        TrainingHistory history = new TrainingHistory(losses, evaluations);
        listener.finished(history);
        return history;
    }

    /**
     * Every weight the forward pass reads and training may change, once each (a family may give one array two
     * names), marked for gradients.
     */
    private static Map<String, NDArray> parameters(HookedTransformer model, Predicate<String> frozen) {
        Map<String, NDArray> parameters = new LinkedHashMap<>();
        Set<NDArray> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        model.weights().all().forEach((name, weight) -> {
            if (!frozen.test(name) && seen.add(weight)) {
                if (model.weights().isFileMapped(name)) {
                    throw new TrainingException("weight " + name + " is mapped read-only from the checkpoint in "
                            + model.source() + "; training changes weights in place, which needs a model created"
                            + " from copied weights (HookedTransformer.create(description, WeightSource.copied(...)))"
                            + ", or freeze it");
                }
                if (!weight.hasGradient()) {
                    weight.setRequiresGradient(true);
                }
                parameters.put(name, weight);
            }
        });
        return parameters;
    }

    private double step(HookedTransformer model, Map<String, NDArray> parameters, TokenBatch batch) {
        double batchLoss;
        try (GradientCollector collector = GradientTurns.open();
                ForwardResult result = model.forward(batch)) {
            NDArray value = loss.of(result.logits(), batch);
            collector.backward(value);
            batchLoss = value.getFloat();
        }
        for (Map.Entry<String, NDArray> parameter : parameters.entrySet()) {
            // each getGradient() is a new handle on the weight's manager: closed here so none pile up
            try (NDArray gradient = parameter.getValue().getGradient()) {
                optimizer.update(parameter.getKey(), parameter.getValue(), gradient);
                gradient.subi(gradient);
            }
        }
        return batchLoss;
    }

    /** Settings of a run; every value but the evaluation has a default fit for the toy models. */
    public static final class Builder {
        private int steps = 1_000;
        private float learningRate = 1e-3f;
        private int warmupSteps = 0;
        private float weightDecay = 0.01f;
        private Optimizer optimizer;
        private int evaluateEvery = 100;
        private Function<HookedTransformer, Map<String, Double>> evaluation = model -> Map.of();
        private int checkpointEvery;
        private Path checkpointDirectory;
        private Predicate<String> frozen = name -> false;
        private float beta2 = 0.999f;
        private int cooldownSteps;
        private TrainingLoss loss = NextTokenLoss::meanLoss;

        private Builder() {}

        public Builder steps(int value) {
            steps = positive("steps", value);
            return this;
        }

        /** AdamW's learning rate after warm-up (default 1e-3). */
        public Builder learningRate(float value) {
            if (!(value > 0) || Float.isInfinite(value)) {
                throw new IllegalArgumentException("learningRate must be positive and finite, got " + value);
            }
            learningRate = value;
            return this;
        }

        /** Steps over which the learning rate rises linearly from 0 (default 0: none). */
        public Builder warmupSteps(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("warmupSteps must not be negative, got " + value);
            }
            warmupSteps = value;
            return this;
        }

        /** AdamW's decoupled weight decay, applied to every weight (default 0.01). */
        public Builder weightDecay(float value) {
            if (!(value >= 0) || Float.isInfinite(value)) {
                throw new IllegalArgumentException("weightDecay must be non-negative and finite, got " + value);
            }
            weightDecay = value;
            return this;
        }

        /**
         * Lets the learning rate fall linearly to nearly 0 over the last {@code value} steps (default 0: constant to
         * the end), so that a run whose loss still spikes at a constant rate (Adam's "slingshots" under heavy
         * weight decay) ends on a settled model. Must leave the warm-up out: at most {@code steps - warmupSteps}.
         */
        public Builder cooldownSteps(int value) {
            if (value < 0) {
                throw new IllegalArgumentException("cooldownSteps must not be negative, got " + value);
            }
            cooldownSteps = value;
            return this;
        }

        /**
         * AdamW's decay rate of the squared-gradient average (default 0.999, PyTorch's); Nanda et al.'s grokking runs
         * use 0.98, which forgets stale gradient scales faster under heavy weight decay.
         */
        public Builder beta2(float value) {
            if (!(value > 0 && value < 1)) {
                throw new IllegalArgumentException("beta2 must be in (0, 1), got " + value);
            }
            beta2 = value;
            return this;
        }

        /** What each step minimises (default: {@link NextTokenLoss#meanLoss}, every next token of the batch). */
        public Builder loss(TrainingLoss value) {
            loss = Objects.requireNonNull(value, "loss");
            return this;
        }

        /**
         * Any DJL optimiser instead of AdamW; the learning rate, warm-up, cool-down, weight decay and beta2 above are
         * then unused.
         */
        public Builder optimizer(Optimizer value) {
            optimizer = Objects.requireNonNull(value, "optimizer");
            return this;
        }

        /** Evaluates every {@code every} steps and after the last; the metrics go to the listener and history. */
        public Builder evaluateEvery(int every, Function<HookedTransformer, Map<String, Double>> metrics) {
            evaluateEvery = positive("evaluateEvery", every);
            evaluation = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Saves the model to {@code directory} (see {@link ToyModels#save}) every {@code every} steps, replacing the
         * previous checkpoint, and after the last step; {@code every} 0 saves only after the last step.
         */
        public Builder checkpoint(Path directory, int every) {
            if (every < 0) {
                throw new IllegalArgumentException("checkpoint interval must not be negative, got " + every);
            }
            checkpointDirectory = Objects.requireNonNull(directory, "directory");
            checkpointEvery = every;
            return this;
        }

        /**
         * Leaves the weights whose canonical names ({@code blocks.0.mlp.W_out}) match unchanged: no gradient, no
         * update, no weight decay.
         */
        public Builder freeze(Predicate<String> weightNames) {
            frozen = Objects.requireNonNull(weightNames, "weightNames");
            return this;
        }

        public Trainer build() {
            if (cooldownSteps > 0 && cooldownSteps > steps - warmupSteps) {
                throw new IllegalArgumentException("cooldownSteps (" + cooldownSteps + ") must fit in the steps after"
                        + " warm-up (" + steps + " - " + warmupSteps + ")");
            }
            return new Trainer(this);
        }

        private static int positive(String name, int value) {
            if (value < 1) {
                throw new IllegalArgumentException(name + " must be positive, got " + value);
            }
            return value;
        }
    }
}
