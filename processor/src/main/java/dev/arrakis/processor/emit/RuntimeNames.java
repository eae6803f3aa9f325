package dev.arrakis.processor.emit;

import com.palantir.javapoet.ClassName;

/** The runtime types generated code refers to; the processor does not depend on the runtime, only names it. */
public final class RuntimeNames {
    public static final ClassName EXPERIMENT_DEFINITION =
            ClassName.get("dev.arrakis.experiment", "ExperimentDefinition");
    public static final ClassName MODEL_SOURCE = ClassName.get("dev.arrakis.experiment", "ModelSource");
    public static final ClassName INPUT_DEFINITION = ClassName.get("dev.arrakis.experiment", "InputDefinition");
    public static final ClassName RUN_DEFINITION = ClassName.get("dev.arrakis.experiment", "RunDefinition");
    public static final ClassName INTERVENTION = ClassName.get("dev.arrakis.spec", "Intervention");
    public static final ClassName ABLATION = INTERVENTION.nestedClass("Ablation");
    public static final ClassName PATCHING = INTERVENTION.nestedClass("Patching");
    public static final ClassName STEERING = INTERVENTION.nestedClass("Steering");
    public static final ClassName SELECTION = ClassName.get("dev.arrakis.spec", "Selection");
    public static final ClassName MODEL_INPUT = ClassName.get("dev.arrakis.experiment", "ModelInput");
    public static final ClassName TYPED_HOOK = ClassName.get("dev.arrakis.hooks", "TypedHook");
    public static final ClassName ACTIVATION_CACHE = ClassName.get("dev.arrakis.hooks", "ActivationCache");
    public static final ClassName LOGITS = ClassName.get("dev.arrakis.hooks", "Logits");
    public static final ClassName HOOKED_TRANSFORMER = ClassName.get("dev.arrakis.model", "HookedTransformer");
    public static final ClassName TOKEN_BATCH = ClassName.get("dev.arrakis.model", "TokenBatch");
    public static final ClassName MODEL_CONFIG = ClassName.get("dev.arrakis.spec", "ModelConfig");
    public static final ClassName ARCHITECTURE = ClassName.get("dev.arrakis.spec", "Architecture");
    public static final ClassName ND_ARRAY = ClassName.get("ai.djl.ndarray", "NDArray");
    public static final ClassName ABLATION_METHOD = ClassName.get("dev.arrakis.annotations", "AblationMethod");
    public static final ClassName AXIS = ClassName.get("dev.arrakis.annotations", "Axis");
    public static final ClassName PLOT_KIND = ClassName.get("dev.arrakis.annotations", "PlotKind");
    public static final ClassName ARRAY_RESULT = ClassName.get("dev.arrakis.runs", "ArrayResult");
    public static final ClassName TOOL_BINDING = ClassName.get("dev.arrakis.experiment", "ToolBinding");
    public static final ClassName TOOL_BINDINGS = ClassName.get("dev.arrakis.tools", "ToolBindings");
    public static final ClassName RESIDUAL_STACK = ClassName.get("dev.arrakis.tools.residual", "ResidualStack");
    public static final ClassName LAYER_LOGITS = ClassName.get("dev.arrakis.tools.lens", "LayerLogits");
    public static final ClassName HEAD_SCORES = ClassName.get("dev.arrakis.tools.attention", "HeadScores");
    public static final ClassName COMPOSITION_SCORES = ClassName.get("dev.arrakis.tools.weights",
            "CompositionScores");
    public static final ClassName GENERATION = ClassName.get("dev.arrakis.tools.generation", "Generation");
    public static final ClassName CAUSAL_TRACER = ClassName.get("dev.arrakis.tools.tracing", "CausalTracer");
    public static final ClassName GENERATED = ClassName.get("javax.annotation.processing", "Generated");

    /** The registry that {@code java.util.ServiceLoader} reads; every runner is listed in it. */
    public static final String REGISTRY_PATH = "META-INF/services/" + EXPERIMENT_DEFINITION.canonicalName();

    private RuntimeNames() {}

    /** The class of an activation kind, e.g. {@code dev.arrakis.hooks.AttentionPattern}. */
    public static ClassName activation(dev.arrakis.spec.ActivationKind kind) {
        return ClassName.get(dev.arrakis.spec.ActivationKind.typePackage(), kind.typeName());
    }
}
