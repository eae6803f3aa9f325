package dev.arrakis.engine;

import ai.djl.ndarray.NDManager;
import dev.arrakis.annotations.Axis;
import dev.arrakis.experiment.InputDefinition;
import dev.arrakis.experiment.RunContext;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ModelConfig;
import java.util.Map;

/**
 * What an {@code @AttributionPatch} method sees when it is called as the metric: the logits of a differentiated run
 * (arrays it makes go to their scope), the inputs, the model. There is no cache and no sweep coordinate, because one
 * call serves every point; the processor refuses methods that ask for them.
 */
final class MetricContext implements RunContext {
    private final String runName;
    private final HookedTransformer model;
    private final Map<String, Object> inputs;
    private final Logits logits;
    private final TokenBatch tokens;

    MetricContext(String runName, HookedTransformer model, Map<String, Object> inputs, Logits logits,
            TokenBatch tokens) {
        this.runName = runName;
        this.model = model;
        this.inputs = inputs;
        this.logits = logits;
        this.tokens = tokens;
    }

    @Override
    public Logits logits() {
        return logits;
    }

    @Override
    public ActivationCache cache() {
        throw notHere("the activation cache");
    }

    @Override
    public <A> A capture(TypedHook<A> hook) {
        throw notHere("the activation at " + hook.name());
    }

    @Override
    @SuppressWarnings("unchecked") // the value under the input's name is what its provider, typed T, returned
    public <T> T input(InputDefinition<?, T> input) {
        if (!inputs.containsKey(input.name())) {
            throw new ExperimentRunException("run " + runName + " reads input '" + input.name()
                    + "', which does not exist (inputs: " + String.join(", ", inputs.keySet()) + ")");
        }
        return (T) inputs.get(input.name());
    }

    @Override
    public int coordinate(Axis axis) {
        throw notHere("a sweep coordinate");
    }

    @Override
    public HookedTransformer model() {
        return model;
    }

    @Override
    public TokenBatch tokens() {
        return tokens;
    }

    @Override
    public NDManager scope() {
        return logits.array().getManager();
    }

    @Override
    public ModelConfig config() {
        return model.config();
    }

    private ExperimentRunException notHere(String what) {
        return new ExperimentRunException("run " + runName + " is the metric of @AttributionPatch and is called once"
                + " for every point, so it cannot read " + what);
    }
}
