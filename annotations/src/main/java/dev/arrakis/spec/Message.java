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
    // Several indices out of range on one axis: one message naming them all, e.g. from head=range(0,12).
    LAYERS_RANGE("Experiment/LayerRange", "layers %s do not exist in %s (layers 0..%d)"),
    HEADS_RANGE("Experiment/HeadRange", "heads %s do not exist in %s (heads 0..%d)"),
    KV_HEADS_RANGE("Experiment/KvHeadRange", "key/value heads %s do not exist in %s (kv heads 0..%d)"),
    NEURONS_RANGE("Experiment/NeuronRange", "neurons %s do not exist in %s (neurons 0..%d)"),
    POSITIONS_RANGE("Experiment/PositionRange", "positions %s do not exist in %s (context 0..%d; negative counts"
            + " from the end)"),
    UNKNOWN_HOOK("Experiment/UnknownHook", "no hook point '%s' in %s%s"),
    HOOK_NOT_IN_ARCHITECTURE("Experiment/HookNotInArchitecture", "%s has no hook point '%s' (%s)"),
    HOOK_NEEDS_LAYER("Experiment/HookNeedsLayer", "hook '%s' is inside each block; give layer = ... or a full name"
            + " such as 'blocks.0.%s'"),
    NOT_HEAD_HOOK("Experiment/NotHeadHook", "'%s' holds %s %s, which has no head axis to select heads from"),
    NOT_NEURON_HOOK("Experiment/NotNeuronHook", "'%s' holds %s %s, which has no neuron axis to select neurons"
            + " from"),
    NOT_POSITION_HOOK("Experiment/NotPositionHook", "'%s' holds %s %s, which has no position axis to select"
            + " positions from"),
    ABLATE_HEADS_AND_NEURONS("Experiment/AblateTarget", "@Ablate selects heads or neurons, not both; with neither it"
            + " replaces the whole activation at its hook"),
    ABLATE_TARGET("Experiment/AblateTarget", "@Ablate needs hook, head or neuron to say what it replaces"),
    PATCH_TARGET("Experiment/PatchTarget", "@Patch needs hook to say what it replaces"),
    HOOK_LAYER_TWICE("Experiment/HookLayerTwice", "hook '%s' already names its layer; drop layer = ... or write the"
            + " name inside the block, '%s'"),
    SWEPT_TWICE("Experiment/SweptTwice", "%s is already swept by another intervention of run '%s'; each axis can be"
            + " swept by one intervention"),
    INTERVENTION_CONFLICT("Experiment/InterventionConflict", "this @%s replaces %s, which an earlier @%s of run '%s'"
            + " already replaces"),
    SWEEP_ALL_NOT_ALONE("Experiment/SweepAll", "Sweep.ALL must be the only value of '%s'"),
    EMPTY_SWEEP("Experiment/EmptySweep", "'%s' sweeps over no values"),
    UNKNOWN_INPUT("Experiment/UnknownInput", "no @Input named '%s'%s (inputs: %s)"),
    NO_INPUT("Experiment/NoInput", "run '%s' %s"),
    ONE_MODEL_INPUT("Experiment/ModelInput", "run '%s' patches into %s; a run feeds the model one input"),
    BAD_OVERRIDE("Experiment/Override", "%s"),
    STREAM_POINT("Experiment/StreamPoint", "the residual stream of %s has no %s at layer %d (%s)"),
    BREAKDOWN("Experiment/Breakdown", "%s cannot break the residual stream down by %s: %s; use %s"),

    // Model surgery (@Edit, @BlendHeads, ModelSurgery): the processor and the runtime's Java API say the same.
    EDIT_KIND("Experiment/Edit", "@Edit needs exactly one of deleteLayers, permuteLayers and duplicateLayer; it"
            + " %s"),
    LAYER_LISTED_TWICE("Experiment/Edit", "layer %d is listed twice in %s"),
    DELETE_EVERY_LAYER("Experiment/Edit", "deleting layers %s leaves %s without a layer; a model keeps at least"
            + " one"),
    NOT_A_PERMUTATION("Experiment/Permutation", "%s is not a permutation of the %d layers of %s: %s"),
    BLEND_SAME_HEAD("Experiment/BlendHeads", "head %d cannot be blended into itself; 'into' names another head of"
            + " layer %d"),
    BLEND_ALPHA("Experiment/BlendHeads", "alpha %s is outside 0..1 (into := (1 - alpha) * into + alpha * head)"),

    // Steering (@Steer, Steering): the processor, the command line and the runtime's Java API say the same.
    STEER_HOOK("Experiment/Steer", "steering adds to the residual stream; '%s' is none of %s%s"),
    STEER_COEFFICIENT("Experiment/Steer", "coefficient %s is not a finite number"),
    STEER_NO_COEFFICIENT("Experiment/Steer", "@Steer lists no coefficient; give one (coefficient = 1) or several to"
            + " sweep (coefficient = {0, 0.5, 1})"),

    // Build time only: what the annotation processor checks beyond the model's shape.
    CONFIG_NOT_IN_PROJECT("Experiment/ConfigNotFound", "no model config '%s' in the project directory %s (processor"
            + " option arrakis.projectDir)"),
    CONFIG_NO_SOURCE_DIR("Experiment/ConfigNotFound", "cannot look for model config '%s' beside the source file:"
            + " the compiler does not say where it is on disk; set the processor option arrakis.projectDir"),
    RUNTIME_MISSING("Experiment/RuntimeMissing", "%s is not on the class path; experiments compile against"
            + " arrakis-runtime"),
    NOT_INSTANTIABLE("Experiment/NotInstantiable", "the generated runner cannot create %s: %s"),
    RUN_METHOD_MODIFIER("Experiment/RunMethod", "run method '%s' is %s; the generated runner calls run methods on an"
            + " instance, so they must be non-private instance methods"),
    RUN_OUTSIDE_EXPERIMENT("Experiment/NotInExperiment", "@%s is on a method of %s, which is not an @Experiment"
            + " class; nothing would run it"),
    INPUT_METHOD("Experiment/InputMethod", "@Input method '%s' %s"),
    DUPLICATE_INPUT("Experiment/DuplicateInput", "input name '%s' is also used by method '%s'"),
    INPUT_NOT_RUNNABLE("Experiment/InputType", "input '%s' is %s, which the model cannot run on; its @Input method"
            + " must return a TokenBatch or a ModelInput"),
    BINDING_TYPE("Experiment/Binding", "parameter '%s' is %s but %s holds %s %s"),
    TOOL_TYPE("Experiment/Binding", "parameter '%s' is %s but @%s gives %s"),
    UNBOUND_PARAMETER("Experiment/Binding", "parameter '%s' (%s) cannot be bound; a run method takes %s"),
    COORDINATE_NOT_SWEPT("Experiment/CoordinateNotSwept", "parameter '%s' would take the swept %s, but run '%s' does"
            + " not sweep %s"),
    AMBIGUOUS_INPUT("Experiment/AmbiguousInput", "parameter '%s' (%s) could take any of the inputs %s; name it after"
            + " the one it means"),
    NOT_PLOTTABLE("Experiment/NotPlottable", "@Plot cannot draw %s: %s"),
    RESULT_TYPE("Experiment/ResultType", "run method '%s' returns %s, which the run store cannot record%s; a run"
            + " method returns void, a number, a boolean or a String, an array, collection or record of those, an"
            + " NDArray or an activation"),
    MISSING_INPUT("Experiment/MissingInput", "%s() returns %s, which %s; annotate it with @Input"),
    SWEEP_AXIS_UNAVAILABLE("Experiment/SweepAxis", "@%s has no %s attribute to sweep"),
    DUPLICATE_RUN("Experiment/DuplicateRun", "run name '%s' is also used by method '%s'"),
    DUPLICATE_EXPERIMENT("Experiment/DuplicateName", "experiment name '%s' is also used by %s"),
    HOOKS_CLASS_CLASH("Experiment/HooksClash", "hooks class %s would describe both %s and %s; move one experiment to"
            + " another package or rename the config's directory"),
    // Attribution patching (@AttributionPatch): the run method is the metric, on one run of its own.
    ATTRIBUTION_ALONE("Experiment/AttributionPatch", "@AttributionPatch estimates patching from one differentiated"
            + " run and cannot be combined with @%s on run '%s'; put them on runs of their own"),
    ATTRIBUTION_METRIC("Experiment/AttributionPatch", "run method '%s' %s; under @AttributionPatch it is the metric:"
            + " it returns a scalar NDArray computed from the logits, e.g."
            + " LogitMetric.logitDifference(correct, wrong).apply(logits.array())"),
    // Generation (@Generate, ./arrakis generate): settings the decoder cannot honour.
    GENERATE_MAX_TOKENS("Experiment/Generate", "maxNewTokens = %d generates nothing; give 1 or more"),
    GENERATE_TEMPERATURE("Experiment/Generate", "temperature = %s is not a number >= 0 (0 decodes greedily)"),
    GENERATE_TOP_K("Experiment/Generate", "topK = %d is outside 0..%d, the vocabulary of %s (0 keeps every token)"),
    GENERATE_TOP_P("Experiment/Generate", "topP = %s is outside (0, 1] (1 keeps every token)"),
    GENERATE_STOP_TOKEN("Experiment/Generate", "stop token %d is outside the vocabulary of %s (0..%d)"),
    INTERNAL("Experiment/Internal", "the Arrakis annotation processor failed on this element; please report it:%n%s"),

    // Causal tracing (@CausalTrace): values ROME's method cannot run with.
    TRACE_WINDOW("Experiment/TraceWindow", "causal tracing window %d %s"),
    TRACE_SAMPLES("Experiment/TraceSamples", "causal tracing needs at least 1 noise sample, got %d"),
    TRACE_NOISE("Experiment/TraceNoise", "causal tracing noise %s is not a positive multiple of the token"
            + " embeddings' standard deviation (ROME uses 3.0)"),

    // Warnings: legal, but probably not what was meant.
    LARGE_SWEEP("Experiment/LargeSweep", "run '%s' sweeps %d points (%s); each is a run of its own"),
    OPT_IN_CAPTURE("Experiment/OptInHook", "'%s' is computed only when asked for and holds %s %s per layer; read"
            + " attn.hook_z or hook_attn_out where they suffice"),
    UNOBSERVED_INTERVENTION("Experiment/Unobserved", "run '%s' intervenes but takes neither the logits, a @Capture nor"
            + " the cache, so the intervention cannot change what it sees");

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

    /** A noun with its article as it is read aloud: "a Residual", "an AttentionPattern", "an NDArray", "a UUID". */
    public static String withArticle(String noun) {
        // An initialism is read letter by letter: "an NDArray", "an SVD", but "a UUID".
        boolean initialism = noun.length() > 1 && Character.isUpperCase(noun.charAt(0))
                && Character.isUpperCase(noun.charAt(1));
        String vowelSounds = initialism ? "AEFHILMNORSX" : "AEIOUaeiou";
        return (vowelSounds.indexOf(noun.charAt(0)) >= 0 ? "an " : "a ") + noun;
    }
}
