package dev.arrakis.processor.validation;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeName;
import dev.arrakis.annotations.Breakdown;
import dev.arrakis.annotations.FinalNorm;
import dev.arrakis.annotations.Restore;
import dev.arrakis.processor.emit.RuntimeNames;
import dev.arrakis.processor.model.ArgumentModel;
import dev.arrakis.processor.model.ArgumentModel.ToolArgument;
import dev.arrakis.spec.Analyses;
import dev.arrakis.spec.GenerationRules;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.ResidualLayout;
import dev.arrakis.spec.ShapeChecks;
import dev.arrakis.spec.StreamPoint;
import dev.arrakis.spec.TraceRules;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Parameters that ask for an analysis tool by annotation ({@code @StackResidual ResidualStack}, {@code @LogitLens
 * LayerLogits}, {@code @DetectHeads HeadScores}, {@code @Composition CompositionScores}, {@code @CausalTrace
 * CausalTracer}): each is checked against the model's shape where the annotation says something the model may not
 * have, and bound to a binding the runtime's {@code ToolBindings} makes, with the hook points it reads, which the run
 * then caches and nothing more.
 */
final class ToolParameters {
    /** One tool: its annotation, the parameter type it gives, and the factory that makes its binding. */
    private enum Tool {
        RESIDUAL("StackResidual", RuntimeNames.RESIDUAL_STACK, "residual"),
        LOGIT_LENS("LogitLens", RuntimeNames.LAYER_LOGITS, "logitLens"),
        DETECT_HEADS("DetectHeads", RuntimeNames.HEAD_SCORES, "detectHeads"),
        COMPOSITION("Composition", RuntimeNames.COMPOSITION_SCORES, "composition"),
        GENERATE("Generate", RuntimeNames.GENERATION, "generate"),
        CAUSAL_TRACE("CausalTrace", RuntimeNames.CAUSAL_TRACER, "causalTrace"),
        // the factory is the edit's own (deleteLayers, ...), chosen by SurgeryParameters
        EDIT("Edit", RuntimeNames.HOOKED_TRANSFORMER, "edit"),
        BLEND_HEADS("BlendHeads", RuntimeNames.HOOKED_TRANSFORMER, "blendHeads");

        final String annotation;
        final ClassName type;
        final String factory;

        Tool(String annotation, ClassName type, String factory) {
            this.annotation = annotation;
            this.type = type;
            this.factory = factory;
        }

        String qualifiedAnnotation() {
            return "dev.arrakis.annotations." + annotation;
        }
    }

    private final RuntimeTypes runtime;
    private final Elements elements;
    private final Optional<ShapeChecks> checks;
    private final ValidationReport.Builder report;

    ToolParameters(RuntimeTypes runtime, Elements elements, Optional<ShapeChecks> checks,
            ValidationReport.Builder report) {
        this.runtime = runtime;
        this.elements = elements;
        this.checks = checks;
        this.report = report;
    }

    /** Whether the parameter asks for a tool, so that no other binding applies to it. */
    boolean asksForTool(VariableElement parameter) {
        return find(parameter).isPresent();
    }

    /** The parameter's tool binding, or empty after reporting why it cannot have one. */
    Optional<ArgumentModel> bind(VariableElement parameter) {
        Tool tool = find(parameter).orElseThrow();
        AnnotationSite site = AnnotationSite.of(parameter,
                ParameterBinder.annotation(parameter, tool.qualifiedAnnotation()), elements);
        TypeMirror type = parameter.asType();
        if (!runtime.isSame(type, runtime.declared(tool.type.canonicalName()))) {
            report.error(Problem.of(Message.TOOL_TYPE, parameter.getSimpleName(),
                    Message.withArticle(TypeDisplay.name(type)), tool.annotation,
                    Message.withArticle(tool.type.simpleName())), Site.of(parameter));
            return Optional.empty();
        }
        TypeName given = TypeName.get(type);
        return switch (tool) {
            case RESIDUAL -> residual(site, given);
            case LOGIT_LENS -> {
                FinalNorm norm = FinalNorm.valueOf(site.enumName("value"));
                yield Optional.of(new ArgumentModel.Tool(tool.factory, given,
                        List.of(enumArgument("FinalNorm", norm.name())),
                        hooks(shape -> Analyses.logitLensHooks(shape.hookPoints(), norm))));
            }
            case DETECT_HEADS -> Optional.of(new ArgumentModel.Tool(tool.factory, given, List.of(
                            enumArgument("HeadPattern", site.enumName("value")),
                            enumArgument("ErrorMeasure", site.enumName("measure")),
                            new ToolArgument.Literal(site.bool("excludeBos")),
                            new ToolArgument.Literal(site.bool("excludeCurrentToken"))),
                    hooks(shape -> Analyses.attentionPatternHooks(shape.hookPoints()))));
            case COMPOSITION -> Optional.of(new ArgumentModel.Tool(tool.factory, given,
                    List.of(enumArgument("CompositionKind", site.enumName("value"))), List.of()));
            case GENERATE -> generate(site, given);
            case CAUSAL_TRACE -> causalTrace(site, given);
            case EDIT -> SurgeryParameters.edit(site, given, checks, report).map(ArgumentModel.class::cast);
            case BLEND_HEADS -> SurgeryParameters.blendHeads(site, given, checks, report)
                    .map(ArgumentModel.class::cast);
        };
    }

    /** Whether a bound tool runs passes of its own on the run's input, so the run's interventions reach it. */
    static boolean runsThePoint(ArgumentModel argument) {
        return argument instanceof ArgumentModel.Tool tool && tool.factory().equals(Tool.GENERATE.factory);
    }

    private Optional<ArgumentModel> generate(AnnotationSite site, TypeName given) {
        int maxNewTokens = site.integer("maxNewTokens");
        double temperature = site.decimal("temperature");
        int topK = site.integer("topK");
        double topP = site.decimal("topP");
        long seed = site.longInteger("seed");
        long[] stopTokens = site.longs("stopTokens");
        String model = checks.map(shape -> shape.config().modelType()).orElse("the model");
        int vocab = checks.map(shape -> shape.config().vocabSize()).orElse(0);
        List<GenerationRules.Located> problems =
                GenerationRules.check(maxNewTokens, temperature, topK, topP, stopTokens, model, vocab);
        for (GenerationRules.Located problem : problems) {
            report.error(problem.problem(), site.attribute(switch (problem.setting()) {
                case MAX_NEW_TOKENS -> "maxNewTokens";
                case TEMPERATURE -> "temperature";
                case TOP_K -> "topK";
                case TOP_P -> "topP";
                case STOP_TOKENS -> "stopTokens";
            }));
        }
        if (!problems.isEmpty()) {
            return Optional.empty();
        }
        String stops = Arrays.stream(stopTokens).mapToObj(token -> token + "L")
                .collect(Collectors.joining(", ", "new long[] {", "}"));
        return Optional.of(new ArgumentModel.Tool(Tool.GENERATE.factory, given, List.of(
                new ToolArgument.Literal(maxNewTokens), new ToolArgument.Literal(temperature + "d"),
                new ToolArgument.Literal(topK), new ToolArgument.Literal(topP + "d"),
                new ToolArgument.Literal(seed + "L"), new ToolArgument.Literal(stops)), List.of()));
    }

    private Optional<ArgumentModel> residual(AnnotationSite site, TypeName given) {
        Breakdown breakdown = Breakdown.valueOf(site.enumName("value"));
        int layer = site.integer("layer");
        boolean mlpInput = site.bool("mlpInput");
        List<String> hooks = List.of();
        if (checks.isPresent()) {
            ShapeChecks shape = checks.get();
            int layers = shape.config().layers();
            StreamPoint upTo = StreamPoint.requested(layer, mlpInput, shape.config());
            Optional<Problem> problem = ResidualLayout.problem(shape.config(), breakdown, upTo);
            if (problem.isPresent()) {
                boolean layerOutOfRange = upTo.layer() < 0 || upTo.layer() > layers;
                report.error(problem.get(), site.attribute(problem.get().message() != Message.STREAM_POINT ? "value"
                        : layerOutOfRange ? "layer" : "mlpInput"));
                return Optional.empty();
            }
            hooks = names(ResidualLayout.requiredHooks(shape.hookPoints(), breakdown, upTo));
        }
        return Optional.of(new ArgumentModel.Tool(Tool.RESIDUAL.factory, given,
                List.of(enumArgument("Breakdown", breakdown.name()), new ToolArgument.Literal(layer),
                        new ToolArgument.Literal(mlpInput)), hooks));
    }

    /**
     * {@code @CausalTrace}: each value checked by {@link TraceRules} on its own attribute. The tracer runs its own
     * passes on the prompts the run method hands it, so the point caches nothing for it.
     */
    private Optional<ArgumentModel> causalTrace(AnnotationSite site, TypeName given) {
        Restore restore = Restore.valueOf(site.enumName("restore"));
        int window = site.integer("window");
        int samples = site.integer("samples");
        double noise = site.decimal("noise");
        long seed = site.longInteger("seed");
        int layers = checks.map(shape -> shape.config().layers()).orElse(-1);
        boolean valid = true;
        for (var attributeProblem : List.of(Map.entry("window", TraceRules.window(restore, window, layers)),
                Map.entry("samples", TraceRules.samples(samples)), Map.entry("noise", TraceRules.noise(noise)))) {
            if (attributeProblem.getValue().isPresent()) {
                report.error(attributeProblem.getValue().get(), site.attribute(attributeProblem.getKey()));
                valid = false;
            }
        }
        if (!valid) {
            return Optional.empty();
        }
        return Optional.of(new ArgumentModel.Tool(Tool.CAUSAL_TRACE.factory, given, List.of(
                enumArgument("Restore", restore.name()), new ToolArgument.Literal(window),
                new ToolArgument.Literal(samples), new ToolArgument.Literal(noise),
                new ToolArgument.Literal(seed + "L")), List.of()));
    }

    /** The hook points the tool reads on this model; none when the model is unknown (reported elsewhere). */
    private List<String> hooks(Function<ShapeChecks, List<HookPoint>> reads) {
        return checks.map(reads).map(ToolParameters::names).orElse(List.of());
    }

    private static ToolArgument enumArgument(String enumClass, String constant) {
        return new ToolArgument.EnumConstant("dev.arrakis.annotations." + enumClass, constant);
    }

    private static List<String> names(List<HookPoint> hooks) {
        return hooks.stream().map(HookPoint::name).toList();
    }

    private static Optional<Tool> find(VariableElement parameter) {
        for (Tool tool : Tool.values()) {
            AnnotationMirror mirror = ParameterBinder.annotation(parameter, tool.qualifiedAnnotation());
            if (mirror != null) {
                return Optional.of(tool);
            }
        }
        return Optional.empty();
    }
}
