package dev.arrakis.tools.generation;

/** Told of every decoding step, e.g. to show progress or to record the logits. */
@FunctionalInterface
public interface GenerationListener {
    GenerationListener NONE = step -> {};

    void onStep(GenerationStep step);
}
