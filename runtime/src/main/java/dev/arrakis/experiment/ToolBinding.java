package dev.arrakis.experiment;

/**
 * How an analysis tool's value reaches a run method's parameter: computed for each sweep point from what the point
 * cached (and the model, its tokens), in the point's scope. The annotation processor checks the request against the
 * model's shape, caches exactly the hook points the tool reads, and emits one binding constant per requested tool,
 * which the invoker applies: {@code e.lens(ACCUMULATED_RESIDUAL.bind(c))}.
 *
 * @param <T> what the parameter receives
 */
@FunctionalInterface
public interface ToolBinding<T> {
    T bind(RunContext point);
}
