package dev.arrakis.cli;

import dev.arrakis.model.HookedTransformer;
import picocli.CommandLine.Option;

/** The {@code --model DIR|NAME} option shared by commands that load a model. */
final class ModelOption {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|NAME",
            description = "A checkpoint directory, or a model name resolved in the local HF cache (e.g. gpt2).")
    String model;

    HookedTransformer load() {
        return HookedTransformer.load(model);
    }
}
