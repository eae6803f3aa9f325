package dev.arrakis.experiment;

import ai.djl.ndarray.NDManager;
import dev.arrakis.annotations.Axis;
import dev.arrakis.hooks.ActivationCache;
import dev.arrakis.hooks.Logits;
import dev.arrakis.hooks.RunOptions;
import dev.arrakis.hooks.TypedHook;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.TokenBatch;
import dev.arrakis.spec.ModelConfig;

/**
 * What a run method's parameters are bound from, for one sweep point. Generated invokers call these getters; every
 * array they return belongs to the point's scope and is freed when the invoker returns. The runner copies the
 * method's result out first when it is an {@code NDArray} or an activation (into an
 * {@link dev.arrakis.runs.ArrayValue}); any other result must not hold arrays.
 */
public interface RunContext {

    /** The logits of this point's (intervened) run, {@code [batch, pos, d_vocab]}. */
    Logits logits();

    /** Every hook point of this point's run. */
    ActivationCache cache();

    /**
     * The activation at a hook point the run definition listed in {@link RunDefinition#captures()}, as the hook's
     * type: {@code NDArray} or the activation class of that hook point.
     */
    <A> A capture(TypedHook<A> hook);

    /** The value the {@code @Input} method of this definition returned. */
    <T> T input(InputDefinition<?, T> input);

    /** This point's index on a swept axis. */
    int coordinate(Axis axis);

    HookedTransformer model();

    /** The tokens the model ran on at this point: the run's model input (each point's own rows hold a copy). */
    TokenBatch tokens();

    /**
     * The point's scope: arrays a binding or the run method creates here are freed when the invoker returns, after
     * the runner has copied the result out.
     */
    NDManager scope();

    ModelConfig config();

    /**
     * Hooks that apply this point's interventions to another pass over the point's rows, {@code sequenceLength}
     * positions long, as tools that run passes of their own (generation) need; none when the run intervenes nowhere.
     */
    default RunOptions interventions(int sequenceLength) {
        return RunOptions.none();
    }
}
