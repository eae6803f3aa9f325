package dev.arrakis.processor.validation;

import com.palantir.javapoet.TypeName;
import dev.arrakis.annotations.Axis;
import dev.arrakis.processor.model.ArgumentModel;
import dev.arrakis.spec.HookPoint;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.ShapeChecks;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.Elements;

/**
 * Binds each parameter of a run method to what the run provides (rule 4): the logits, the cache, a captured
 * activation, the model, its shape, a swept coordinate, or an input's value. A parameter nothing provides is an
 * error that names it and lists what can bind.
 */
final class ParameterBinder {
    private static final String CAPTURE = "dev.arrakis.annotations.Capture";

    /** An {@code @Input} as bindings see it. */
    record InputType(String name, TypeMirror type) {}

    /**
     * The arguments, in parameter order, and what the run must provide for them.
     *
     * @param arguments one per parameter, or fewer when some could not be bound (the report then has errors)
     * @param captures full hook names, without repeats: those captured and those the tools read
     * @param needsCache whether a parameter takes the whole cache
     */
    record Bound(List<ArgumentModel> arguments, List<String> captures, boolean needsCache) {
        boolean observesRun() {
            return needsCache || !captures.isEmpty()
                    || arguments.stream().anyMatch(argument -> argument instanceof ArgumentModel.Logits)
                    || arguments.stream().anyMatch(ToolParameters::runsThePoint);
        }
    }

    private final RuntimeTypes runtime;
    private final Elements elements;
    private final Optional<ShapeChecks> checks;
    private final MissingInputs missingInputs;
    private final ValidationReport.Builder report;
    private final ToolParameters tools;

    ParameterBinder(RuntimeTypes runtime, Elements elements, Optional<ShapeChecks> checks,
            MissingInputs missingInputs, ValidationReport.Builder report) {
        this.runtime = runtime;
        this.elements = elements;
        this.checks = checks;
        this.missingInputs = missingInputs;
        this.report = report;
        this.tools = new ToolParameters(runtime, elements, checks, report);
    }

    Bound bind(ExecutableElement method, String runName, Set<Axis> swept, List<InputType> inputs) {
        List<ArgumentModel> arguments = new ArrayList<>();
        Set<String> captures = new LinkedHashSet<>();
        boolean needsCache = false;
        for (VariableElement parameter : method.getParameters()) {
            TypeMirror type = parameter.asType();
            String name = parameter.getSimpleName().toString();
            AnnotationMirror capture = annotation(parameter, CAPTURE);
            if (tools.asksForTool(parameter)) {
                tools.bind(parameter).ifPresent(argument -> {
                    arguments.add(argument);
                    captures.addAll(((ArgumentModel.Tool) argument).hooks());
                });
            } else if (capture != null) {
                AnnotationSite site = AnnotationSite.of(parameter, capture, elements);
                capture(parameter, site.string("value"), site).ifPresent(argument -> {
                    arguments.add(argument);
                    captures.add(((ArgumentModel.Capture) argument).hook());
                });
            } else if (runtime.isSame(type, runtime.logits)) {
                arguments.add(new ArgumentModel.Logits());
            } else if (runtime.isSame(type, runtime.cache)) {
                arguments.add(new ArgumentModel.Cache());
                needsCache = true;
            } else if (runtime.isSame(type, runtime.model)) {
                arguments.add(new ArgumentModel.Model());
            } else if (runtime.isSame(type, runtime.config)) {
                arguments.add(new ArgumentModel.Config());
            } else {
                bindCoordinateOrInput(parameter, type, name, runName, swept, inputs).ifPresent(arguments::add);
            }
        }
        return new Bound(arguments, List.copyOf(captures), needsCache);
    }

    private Optional<ArgumentModel> capture(VariableElement parameter, String hook, AnnotationSite site) {
        if (checks.isEmpty()) {
            return Optional.of(new ArgumentModel.Capture(hook, TypeName.get(parameter.asType())));
        }
        ShapeChecks shape = checks.get();
        if (shape.isBlockRelative(hook)) {
            report.error(Problem.of(Message.HOOK_NEEDS_LAYER, hook, hook), site.attribute("value"));
            return Optional.empty();
        }
        Optional<Problem> problem = shape.hookAsWritten(hook);
        if (problem.isPresent()) {
            report.error(problem.get(), site.attribute("value"));
            return Optional.empty();
        }
        HookPoint point = shape.point(hook);
        if (point.optIn()) {
            report.warning(Problem.of(Message.OPT_IN_CAPTURE, hook,
                    Message.withArticle(point.kind().typeName()), point.dimsLabel()), site.attribute("value"));
        }
        TypeMirror type = parameter.asType();
        if (runtime.isSame(type, runtime.ndArray) || runtime.isSame(type, runtime.activation(point.kind()))) {
            return Optional.of(new ArgumentModel.Capture(hook, TypeName.get(runtime.types.erasure(type))));
        }
        report.error(Problem.of(Message.BINDING_TYPE, parameter.getSimpleName(),
                Message.withArticle(TypeDisplay.name(type)), hook,
                Message.withArticle(point.kind().typeName()), point.dimsLabel()), Site.of(parameter));
        return Optional.empty();
    }

    private Optional<ArgumentModel> bindCoordinateOrInput(VariableElement parameter, TypeMirror type, String name,
            String runName, Set<Axis> swept, List<InputType> inputs) {
        Problem notSwept = null;
        Optional<Axis> axis = coordinateAxis(name, type);
        if (axis.isPresent()) {
            if (swept.contains(axis.get())) {
                return Optional.of(new ArgumentModel.Coordinate(axis.get()));
            }
            notSwept = Problem.of(Message.COORDINATE_NOT_SWEPT, name, name, runName, name + "s");
        }
        List<InputType> assignable = inputs.stream()
                .filter(input -> input.type().getKind() != TypeKind.VOID
                        && runtime.types.isAssignable(input.type(), type))
                .toList();
        if (assignable.size() > 1) {
            assignable = assignable.stream().filter(input -> input.name().equals(name)).toList();
            if (assignable.size() != 1) {
                report.error(Problem.of(Message.AMBIGUOUS_INPUT, name, TypeDisplay.name(type), inputs.stream()
                        .filter(input -> runtime.types.isAssignable(input.type(), type))
                        .map(input -> "'" + input.name() + "'")
                        .collect(Collectors.joining(", "))), Site.of(parameter));
                return Optional.empty();
            }
        }
        if (assignable.size() == 1) {
            return Optional.of(new ArgumentModel.Input(assignable.get(0).name(), TypeName.get(type)));
        }
        if (notSwept == null) {
            Optional<String> missing = missingInputs.forParameter(type, name, runName);
            if (missing.isPresent()) {
                return Optional.of(new ArgumentModel.Input(missing.get(), TypeName.get(type)));
            }
        }
        report.error(notSwept != null ? notSwept : Problem.of(Message.UNBOUND_PARAMETER, name,
                TypeDisplay.name(type), bindable(inputs)), Site.of(parameter));
        return Optional.empty();
    }

    private static Optional<Axis> coordinateAxis(String name, TypeMirror type) {
        boolean isInt = type.getKind() == TypeKind.INT || type.toString().equals("java.lang.Integer");
        if (!isInt) {
            return Optional.empty();
        }
        for (Axis axis : Axis.values()) {
            if (axis.name().toLowerCase(Locale.ROOT).equals(name)) {
                return Optional.of(axis);
            }
        }
        return Optional.empty();
    }

    private static String bindable(List<InputType> inputs) {
        String fromInputs = inputs.isEmpty() ? "" : ", an @Input's value (" + inputs.stream()
                .map(input -> input.name() + ": " + TypeDisplay.name(input.type()))
                .collect(Collectors.joining(", ")) + ")";
        return "Logits, ActivationCache, HookedTransformer, ModelConfig, an activation or NDArray with"
                + " @Capture(\"hook name\")" + fromInputs
                + ", or an int named layer, head, neuron or position when the run sweeps that axis";
    }

    static AnnotationMirror annotation(javax.lang.model.element.Element element, String qualifiedName) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName()
                    .contentEquals(qualifiedName)) {
                return mirror;
            }
        }
        return null;
    }
}
