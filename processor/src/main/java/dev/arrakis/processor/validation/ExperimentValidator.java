package dev.arrakis.processor.validation;

import com.palantir.javapoet.TypeName;
import dev.arrakis.annotations.Axis;
import dev.arrakis.annotations.PlotKind;
import dev.arrakis.processor.emit.RuntimeNames;
import dev.arrakis.processor.model.InputModel;
import dev.arrakis.processor.model.ModelSourceModel;
import dev.arrakis.processor.model.RunModel;
import dev.arrakis.spec.InputRules;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.InputRules;
import dev.arrakis.spec.Problem;
import dev.arrakis.spec.InputRules;
import dev.arrakis.spec.ShapeChecks;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.Modifier;
import javax.lang.model.element.NestingKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.type.TypeKind;
import javax.lang.model.type.TypeMirror;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;

/**
 * Validates one {@code @Experiment} class: every rule, every problem, each at its exact site. What it reads on the
 * way becomes the experiment's model, which the processor uses only when the report is clean.
 */
public final class ExperimentValidator {
    static final String ANNOTATIONS = "dev.arrakis.annotations.";
    static final String EXPERIMENT = ANNOTATIONS + "Experiment";
    static final String INPUT = ANNOTATIONS + "Input";
    static final String RUN = ANNOTATIONS + "Run";
    static final String ABLATE = ANNOTATIONS + "Ablate";
    static final String ABLATIONS = ANNOTATIONS + "Ablations";
    static final String PATCH = ANNOTATIONS + "Patch";
    static final String STEER = ANNOTATIONS + "Steer";
    static final String ATTRIBUTION_PATCH = ANNOTATIONS + "AttributionPatch";
    static final String PLOT = ANNOTATIONS + "Plot";
    static final String LOG_EXPERIMENT = ANNOTATIONS + "LogExperiment";

    /** Annotations that make a method a run method. */
    public static final List<String> RUN_ANNOTATIONS = List.of(RUN, ABLATE, ABLATIONS, PATCH, PLOT, STEER,
            ATTRIBUTION_PATCH);

    /** Sweeps beyond this many points get a warning. */
    static final long LARGE_SWEEP = 1000;

    private final Elements elements;
    private final Types types;
    private final ModelResolver resolver;

    public ExperimentValidator(Elements elements, Types types, ModelResolver resolver) {
        this.elements = elements;
        this.types = types;
        this.resolver = resolver;
    }

    /**
     * What validation found.
     *
     * @param report every problem
     * @param experiment what was read, complete only when the report is clean
     */
    public record Result(ValidationReport report, ValidatedExperiment experiment) {}

    /**
     * The experiment as read, with javac types left behind.
     *
     * @param name the experiment's name
     * @param model the model and the shape it was checked against
     */
    public record ValidatedExperiment(String name, ModelSourceModel model, List<InputModel> inputs,
            List<RunModel> runs) {}

    /** An {@code @Input} method as read. */
    private record InputInfo(InputModel model, TypeMirror type, ExecutableElement method) {}

    public Result validate(TypeElement type) {
        ValidationReport.Builder report = ValidationReport.about(type);
        AnnotationSite experiment = AnnotationSite.of(type, annotation(type, EXPERIMENT), elements);
        String[] missing = new String[1];
        Optional<RuntimeTypes> runtime = RuntimeTypes.of(elements, types, missing);
        if (runtime.isEmpty()) {
            report.error(Problem.of(Message.RUNTIME_MISSING, missing[0]), experiment.whole());
            return new Result(report.build(), null);
        }
        checkInstantiable(type, report);
        Optional<ModelResolver.ResolvedModel> model = resolver.resolve(type, experiment, report);
        Optional<ShapeChecks> checks = model.map(resolved -> new ShapeChecks(resolved.displayName(), resolved.shape()));
        String name = experiment.string("name").isEmpty() ? type.getSimpleName().toString() : experiment.string("name");

        Map<String, ExecutableElement> unusableInputs = new LinkedHashMap<>();
        List<InputInfo> inputs = inputs(type, unusableInputs, report);
        MissingInputs missingInputs = MissingInputs.of(type, elements, runtime.get(),
                method -> annotation(method, INPUT) != null || isRunMethod(method), unusableInputs);
        List<RunModel> runs = new ArrayList<>();
        Map<String, ExecutableElement> runNames = new LinkedHashMap<>();
        boolean classLogged = annotation(type, LOG_EXPERIMENT) != null;
        for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
            if (isRunMethod(method)) {
                runs.add(run(method, runNames, inputs, missingInputs, classLogged, runtime.get(), checks, report));
            }
        }
        missingInputs.report(report);
        ValidatedExperiment validated = model.map(resolved -> new ValidatedExperiment(name,
                new ModelSourceModel(resolved.knownName(), resolved.configPath(), resolved.projectDir(),
                        resolved.shape()),
                inputs.stream().map(InputInfo::model).toList(), runs)).orElse(null);
        return new Result(report.build(), validated);
    }

    private static boolean isRunMethod(ExecutableElement method) {
        return RUN_ANNOTATIONS.stream().anyMatch(run -> annotation(method, run) != null);
    }

    /** Rule 6: the runner must be able to write {@code new C()} from the same package. */
    private void checkInstantiable(TypeElement type, ValidationReport.Builder report) {
        String shown = type.getSimpleName().toString();
        List<String> reasons = new ArrayList<>();
        switch (type.getKind()) {
            case INTERFACE -> reasons.add("it is an interface");
            case ENUM -> reasons.add("it is an enum");
            case ANNOTATION_TYPE -> reasons.add("it is an annotation type");
            default -> {
                if (type.getModifiers().contains(Modifier.PRIVATE)) {
                    reasons.add("it is private");
                }
                if (type.getModifiers().contains(Modifier.ABSTRACT)) {
                    reasons.add("it is abstract");
                }
                if (!type.getTypeParameters().isEmpty()) {
                    reasons.add("it is generic, and the runner has no type arguments to give it");
                }
                if (type.getNestingKind() == NestingKind.MEMBER && !type.getModifiers().contains(Modifier.STATIC)) {
                    reasons.add("it is an inner class; make it a static member class");
                }
                if (type.getNestingKind() == NestingKind.LOCAL || type.getNestingKind() == NestingKind.ANONYMOUS) {
                    reasons.add("it is a local class");
                }
                for (Element outer = type.getEnclosingElement(); outer instanceof TypeElement enclosing;
                        outer = outer.getEnclosingElement()) {
                    if (enclosing.getModifiers().contains(Modifier.PRIVATE)) {
                        reasons.add("the class it is in, " + enclosing.getSimpleName() + ", is private");
                    }
                }
                checkConstructor(type, reasons);
            }
        }
        for (String reason : reasons) {
            report.error(Problem.of(Message.NOT_INSTANTIABLE, shown, reason), Site.of(type));
        }
    }

    private void checkConstructor(TypeElement type, List<String> reasons) {
        Optional<ExecutableElement> noArgs = ElementFilter.constructorsIn(type.getEnclosedElements()).stream()
                .filter(constructor -> constructor.getParameters().isEmpty())
                .findFirst();
        if (noArgs.isEmpty() || noArgs.get().getModifiers().contains(Modifier.PRIVATE)) {
            reasons.add("it has no non-private constructor without parameters");
            return;
        }
        TypeMirror unchecked = elements.getTypeElement(RuntimeException.class.getCanonicalName()).asType();
        TypeMirror error = elements.getTypeElement(Error.class.getCanonicalName()).asType();
        List<String> checked = noArgs.get().getThrownTypes().stream()
                .filter(thrown -> !types.isSubtype(thrown, unchecked) && !types.isSubtype(thrown, error))
                .map(TypeDisplay::name)
                .toList();
        if (!checked.isEmpty()) {
            reasons.add("its constructor without parameters throws " + String.join(", ", checked)
                    + ", which newInstance() cannot declare");
        }
    }

    /** The usable inputs; those with an error of their own go to {@code unusable}, by input name. */
    private List<InputInfo> inputs(TypeElement type, Map<String, ExecutableElement> unusable,
            ValidationReport.Builder report) {
        List<InputInfo> inputs = new ArrayList<>();
        Map<String, ExecutableElement> byName = new LinkedHashMap<>();
        TypeMirror hookedTransformer = elements.getTypeElement("dev.arrakis.model.HookedTransformer").asType();
        for (ExecutableElement method : ElementFilter.methodsIn(type.getEnclosedElements())) {
            AnnotationMirror mirror = annotation(method, INPUT);
            if (mirror == null) {
                continue;
            }
            AnnotationSite input = AnnotationSite.of(method, mirror, elements);
            String methodName = method.getSimpleName().toString();
            String name = input.string("value").isEmpty() ? methodName : input.string("value");
            boolean usable = true;
            if (method.getModifiers().contains(Modifier.PRIVATE)) {
                report.error(Problem.of(Message.INPUT_METHOD, methodName,
                        "is private; the generated runner calls it from outside the class"), Site.of(method));
                usable = false;
            }
            if (method.getReturnType().getKind() == TypeKind.VOID) {
                report.error(Problem.of(Message.INPUT_METHOD, methodName,
                        "returns nothing; an @Input method returns the data the runs see"), Site.of(method));
                usable = false;
            }
            boolean takesModel = method.getParameters().size() == 1
                    && types.isSameType(method.getParameters().get(0).asType(), hookedTransformer);
            if (!method.getParameters().isEmpty() && !takesModel) {
                report.error(Problem.of(Message.INPUT_METHOD, methodName, "takes (" + method.getParameters().stream()
                        .map(parameter -> TypeDisplay.name(parameter.asType()))
                        .collect(Collectors.joining(", "))
                        + "); an @Input method takes no parameters or the HookedTransformer"), Site.of(method));
                usable = false;
            }
            ExecutableElement earlier = byName.putIfAbsent(name, method);
            if (earlier != null) {
                report.error(Problem.of(Message.DUPLICATE_INPUT, name, earlier.getSimpleName()),
                        input.attribute("value"));
                continue;
            }
            if (usable) {
                TypeMirror returned = method.getReturnType();
                inputs.add(new InputInfo(new InputModel(name, methodName, TypeName.get(returned), takesModel,
                        method.getModifiers().contains(Modifier.STATIC)), returned, method));
            } else {
                unusable.put(name, method);
            }
        }
        return inputs;
    }

    private RunModel run(ExecutableElement method, Map<String, ExecutableElement> runNames, List<InputInfo> inputs,
            MissingInputs missingInputs, boolean classLogged, RuntimeTypes runtime, Optional<ShapeChecks> checks,
            ValidationReport.Builder report) {
        String methodName = method.getSimpleName().toString();
        AnnotationSite run = site(method, RUN);
        String name = run != null && !run.string("name").isEmpty() ? run.string("name") : methodName;
        if (method.getModifiers().contains(Modifier.PRIVATE)) {
            report.error(Problem.of(Message.RUN_METHOD_MODIFIER, methodName, "private"), Site.of(method));
        }
        if (method.getModifiers().contains(Modifier.STATIC)) {
            report.error(Problem.of(Message.RUN_METHOD_MODIFIER, methodName, "static"), Site.of(method));
        }
        ExecutableElement earlier = runNames.putIfAbsent(name, method);
        if (earlier != null) {
            report.error(Problem.of(Message.DUPLICATE_RUN, name, earlier.getSimpleName()),
                    run != null && run.isExplicit("name") ? run.attribute("name") : Site.of(method));
        }

        InterventionChecks interventionChecks = new InterventionChecks(checks, report);
        List<InterventionChecks.Read> read = new ArrayList<>();
        for (AnnotationSite ablate : ablates(method)) {
            read.add(interventionChecks.ablate(ablate));
        }
        AnnotationSite patch = site(method, PATCH);
        if (patch != null) {
            read.add(interventionChecks.patch(patch));
        }
        AnnotationSite steer = site(method, STEER);
        if (steer != null) {
            read.add(interventionChecks.steer(steer));
            String vector = steer.string("vector");
            if (inputs.stream().noneMatch(info -> info.model().name().equals(vector))) {
                InputRules.unknown(vector, names(inputs)).ifPresent(problem -> report.error(problem,
                        steer.attribute("vector")));
            }
        }
        AnnotationSite attribution = site(method, ATTRIBUTION_PATCH);
        if (attribution != null) {
            if (patch != null || !read.isEmpty()) {
                report.error(Problem.of(Message.ATTRIBUTION_ALONE, patch != null ? "Patch"
                        : steer != null ? "Steer" : "Ablate", name),
                        attribution.whole());
            }
            read.add(interventionChecks.patch(attribution, "AttributionPatch"));
            patch = patch != null ? patch : attribution;
        }
        InterventionChecks.Checked interventions = interventionChecks.check(read, name);
        Map<Axis, Long> sweep = interventions.sweepSizes();
        warnLargeSweep(method, name, sweep, report);

        String input = "";
        if (patch != null) {
            findInput(patch.string("from"), patch.attribute("from"), name, inputs, missingInputs, runtime, report);
            findInput(patch.string("into"), patch.attribute("into"), name, inputs, missingInputs, runtime, report);
        } else {
            input = runInput(method, name, run, inputs, missingInputs, runtime, report);
        }

        ParameterBinder.Bound bound = new ParameterBinder(runtime, elements, checks, missingInputs, report).bind(
                method, name, sweep.keySet(), inputs.stream()
                        .map(info -> new ParameterBinder.InputType(info.model().name(), info.type()))
                        .toList());
        if (!interventions.interventions().isEmpty() && !bound.observesRun()) {
            report.warning(Problem.of(Message.UNOBSERVED_INTERVENTION, name), Site.of(method));
        }

        TypeMirror result = method.getReturnType();
        if (attribution != null) {
            checkMetric(method, result, bound, runtime, report);
            // each point records the estimated change of the metric
            result = types.getPrimitiveType(TypeKind.DOUBLE);
        }
        TypeMirror recorded = result;
        Optional<String> unrecordable = new ResultTypes(runtime, elements).problem(result);
        unrecordable.ifPresent(problem -> report.error(Problem.of(Message.RESULT_TYPE, methodName,
                TypeDisplay.name(recorded), problem), Site.of(method)));
        AnnotationSite plot = site(method, PLOT);
        RunModel.Plot plotModel = null;
        if (plot != null) {
            PlotKind kind = PlotKind.valueOf(plot.enumName("kind"));
            // A result the store cannot record cannot be plotted either; the result-type error says why.
            if (unrecordable.isEmpty()) {
                new PlotChecks(runtime).check(result, kind, sweep.size(), plot, report);
            }
            plotModel = new RunModel.Plot(kind, plot.string("title"));
        }
        boolean logged = classLogged || annotation(method, LOG_EXPERIMENT) != null;
        return new RunModel(name, methodName, input,
                interventions.interventions(), bound.captures(),
                bound.needsCache(), plotModel, logged, result.toString(), result.getKind() == TypeKind.VOID,
                bound.arguments(), attribution != null);
    }

    /** An {@code @AttributionPatch} method is the metric: a scalar NDArray from the logits, without the cache. */
    private static void checkMetric(ExecutableElement method, TypeMirror result, ParameterBinder.Bound bound,
            RuntimeTypes runtime, ValidationReport.Builder report) {
        String methodName = method.getSimpleName().toString();
        if (!runtime.isSame(result, runtime.declared(RuntimeNames.ND_ARRAY.canonicalName()))) {
            report.error(Problem.of(Message.ATTRIBUTION_METRIC, methodName, "returns "
                    + Message.withArticle(TypeDisplay.name(result))), Site.of(method));
        }
        if (bound.needsCache() || !bound.captures().isEmpty()) {
            report.error(Problem.of(Message.ATTRIBUTION_METRIC, methodName, "reads cached activations"),
                    Site.of(method));
        }
    }

    private void warnLargeSweep(ExecutableElement method, String name, Map<Axis, Long> sweep,
            ValidationReport.Builder report) {
        long points = 1;
        List<String> parts = new ArrayList<>();
        for (Map.Entry<Axis, Long> axis : sweep.entrySet()) {
            if (axis.getValue() >= 0) {
                points = axis.getValue() != 0 && points > Long.MAX_VALUE / axis.getValue() ? Long.MAX_VALUE
                        : points * axis.getValue();
                parts.add(axis.getValue() + " " + axis.getKey().name().toLowerCase(Locale.ROOT) + "s");
            }
        }
        if (points > LARGE_SWEEP) {
            report.warning(Problem.of(Message.LARGE_SWEEP, name, points, String.join(" x ", parts)),
                    Site.of(method));
        }
    }

    /**
     * The input a run without patching feeds the model: named by {@code @Run(input)}, or else the only input the model
     * can run on (others are data bound to parameters).
     */
    private String runInput(ExecutableElement method, String runName, AnnotationSite run, List<InputInfo> inputs,
            MissingInputs missingInputs, RuntimeTypes runtime, ValidationReport.Builder report) {
        if (run != null && !run.string("input").isEmpty()) {
            return findInput(run.string("input"), run.attribute("input"), runName, inputs, missingInputs, runtime,
                    report).map(info -> info.model().name()).orElse("");
        }
        List<InputInfo> runnable = inputs.stream().filter(info -> runtime.isRunnable(info.type())).toList();
        if (runnable.size() == 1) {
            return runnable.get(0).model().name();
        }
        if (runnable.isEmpty()) {
            Optional<String> missing = missingInputs.forModel(runName);
            if (missing.isPresent()) {
                return missing.get();
            }
        }
        if (runnable.isEmpty() && inputs.size() == 1) {
            InputInfo only = inputs.get(0);
            report.error(Problem.of(Message.INPUT_NOT_RUNNABLE, only.model().name(),
                    Message.withArticle(TypeDisplay.name(only.type()))), Site.of(method));
            return only.model().name();
        }
        report.error(InputRules.noModelInput(runName, names(inputs), names(runnable)),
                run != null ? run.whole() : Site.of(method));
        return "";
    }

    private Optional<InputInfo> findInput(String name, Site site, String runName, List<InputInfo> inputs,
            MissingInputs missingInputs, RuntimeTypes runtime, ValidationReport.Builder report) {
        Optional<InputInfo> found = inputs.stream().filter(info -> info.model().name().equals(name)).findFirst();
        if (found.isEmpty() && missingInputs.named(name, runName).isPresent()) {
            return found;
        }
        if (found.isEmpty()) {
            InputRules.unknown(name, names(inputs)).ifPresent(problem -> report.error(problem, site));
        } else if (!runtime.isRunnable(found.get().type())) {
            report.error(Problem.of(Message.INPUT_NOT_RUNNABLE, name,
                    Message.withArticle(TypeDisplay.name(found.get().type()))), site);
        }
        return found;
    }

    private static List<String> names(List<InputInfo> inputs) {
        return inputs.stream().map(info -> info.model().name()).toList();
    }

    /** The method's {@code @Ablate}s in source order, whether written once or repeated into their container. */
    private List<AnnotationSite> ablates(ExecutableElement method) {
        List<AnnotationSite> ablates = new ArrayList<>();
        for (AnnotationMirror mirror : method.getAnnotationMirrors()) {
            String type = qualifiedName(mirror);
            if (type.equals(ABLATE)) {
                ablates.add(AnnotationSite.of(method, mirror, elements));
            } else if (type.equals(ABLATIONS)) {
                List<AnnotationMirror> repeated = AnnotationSite.of(method, mirror, elements).annotations("value");
                for (int i = 0; i < repeated.size(); i++) {
                    ablates.add(new AnnotationSite(method, repeated.get(i), i, elements));
                }
            }
        }
        return ablates;
    }

    private AnnotationSite site(Element element, String annotation) {
        AnnotationMirror mirror = annotation(element, annotation);
        return mirror == null ? null : AnnotationSite.of(element, mirror, elements);
    }

    static AnnotationMirror annotation(Element element, String qualifiedName) {
        return ParameterBinder.annotation(element, qualifiedName);
    }

    static String qualifiedName(AnnotationMirror mirror) {
        return ((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().toString();
    }
}
