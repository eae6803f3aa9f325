package dev.arrakis.cli;

import dev.arrakis.io.hub.HubSettings;
import dev.arrakis.model.HookedTransformer;
import dev.arrakis.model.Precision;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --model DIR|NAME} option, with how to load it, shared by commands that load a model. */
final class ModelOption {
    @Option(
            names = "--model",
            required = true,
            paramLabel = "DIR|NAME",
            description = "A checkpoint directory, or a model name resolved in the local HF cache (e.g. gpt2).")
    String model;

    @Option(
            names = "--precision",
            paramLabel = "F32|F16",
            defaultValue = "F32",
            description = "Compute precision: F32 (default, matches HF) or F16 (half the memory; see docs/models.md"
                    + " for its error).")
    Precision precision;

    @Mixin
    ProcessWeightsOption weights;

    HookedTransformer load() {
        return HookedTransformer.load(model, HubSettings.fromEnvironment(), precision, weights.processing());
    }
}
