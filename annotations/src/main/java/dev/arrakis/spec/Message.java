package dev.arrakis.spec;

import java.util.Locale;

/**
 * Every message Arrakis gives about an experiment definition, at build time (compiler errors and warnings) and at
 * run time (command-line overrides), with a stable tag that tests, docs and users can search for. One catalogue, so
 * the same mistake reads the same wherever it is caught.
 */
public enum Message {
    UNKNOWN_MODEL("Experiment/UnknownModel", "unknown model '%s'%s (known: %s)"),
    MODEL_SOURCE("Experiment/ModelSource", "@Experiment needs exactly one of model = \"...\" and config = \"...\""),
    CONFIG_NOT_FOUND("Experiment/ConfigNotFound", "no model config '%s' beside %s or in any directory above it"),
    INVALID_CONFIG("Experiment/InvalidConfig", "%s"),
    LAYER_RANGE("Experiment/LayerRange", "layer %d does not exist in %s (layers 0..%d)"),
    HEAD_RANGE("Experiment/HeadRange", "head %d does not exist in %s (heads 0..%d)"),
    KV_HEAD_RANGE("Experiment/KvHeadRange", "key/value head %d does not exist in %s (kv heads 0..%d)"),
    NEURON_RANGE("Experiment/NeuronRange", "neuron %d does not exist in %s (neurons 0..%d)"),
    POSITION_RANGE("Experiment/PositionRange", "position %d does not exist in %s (context 0..%d; negative counts"
            + " from the end)"),
    UNKNOWN_HOOK("Experiment/UnknownHook", "no hook point '%s' in %s%s"),
    HOOK_NOT_IN_ARCHITECTURE("Experiment/HookNotInArchitecture", "%s has no hook point '%s' (%s)"),
    HOOK_NEEDS_LAYER("Experiment/HookNeedsLayer", "hook '%s' is inside each block; give layer = ... or a full name"
            + " such as 'blocks.0.%s'"),
    NOT_HEAD_HOOK("Experiment/NotHeadHook", "'%s' holds %s %s, which has no head axis to select heads from"),
    NOT_NEURON_HOOK("Experiment/NotNeuronHook", "'%s' holds %s %s, which has no neuron axis to select neurons"
            + " from"),
    SWEEP_ALL_NOT_ALONE("Experiment/SweepAll", "Sweep.ALL must be the only value of '%s'"),
    EMPTY_SWEEP("Experiment/EmptySweep", "'%s' sweeps over no values"),
    BAD_OVERRIDE("Experiment/Override", "%s");

    private final String tag;
    private final String template;

    Message(String tag, String template) {
        this.tag = tag;
        this.template = template;
    }

    public String tag() {
        return tag;
    }

    /** The message with its tag, e.g. {@code [Experiment/LayerRange] layer 12 does not exist in gpt2 (layers 0..11)}. */
    public String format(Object... args) {
        return "[" + tag + "] " + String.format(Locale.ROOT, template, args);
    }
}
