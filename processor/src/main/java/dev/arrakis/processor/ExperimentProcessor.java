package dev.arrakis.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.TypeSpec;
import dev.arrakis.processor.emit.GeneratedFiles;
import dev.arrakis.processor.emit.RunnerEmitter;
import dev.arrakis.processor.emit.RuntimeNames;
import dev.arrakis.processor.model.ExperimentModel;
import dev.arrakis.processor.validation.CompilerTrees;
import dev.arrakis.processor.validation.DiagnosticPrinter;
import dev.arrakis.processor.validation.ExperimentValidator;
import dev.arrakis.processor.validation.ModelResolver;
import dev.arrakis.processor.validation.Site;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.Problem;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;

/**
 * Checks each {@code @Experiment} class against its model and generates its runner, {@code <Class>_Experiment}.
 * Isolating: a runner depends on its own class only, and names it as its one originating element.
 *
 * <p>Per class, after Dagger's processing steps: validate into a report (every problem, each on the value it is
 * about), print it, stop if it has an error, otherwise build a compiler-independent model and emit from it. A class
 * that refers to a constant not yet generated (a hooks class of this same compilation) waits for a later round. The
 * processor never throws at its user: a failure of its own is an error on the class, tagged
 * {@code [Experiment/Internal]}, with the stack trace.
 */
@AutoService(Processor.class)
@SupportedOptions(ModelResolver.PROJECT_DIR_OPTION)
public final class ExperimentProcessor extends AbstractProcessor {
    private static final String EXPERIMENT = "dev.arrakis.annotations.Experiment";
    private static final String INPUT = "dev.arrakis.annotations.Input";

    private final Function<ExperimentModel, TypeSpec.Builder> emitterOverride;
    private final Set<String> deferred = new LinkedHashSet<>();
    private Function<ExperimentModel, TypeSpec.Builder> emitter;
    private ExperimentValidator validator;
    private ExperimentModelFactory factory;
    private DiagnosticPrinter printer;

    public ExperimentProcessor() {
        this(null);
    }

    /** With another emitter, so that tests can make emitting fail. */
    ExperimentProcessor(Function<ExperimentModel, TypeSpec.Builder> emitter) {
        this.emitterOverride = emitter;
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        Set<String> types = new LinkedHashSet<>();
        types.add(EXPERIMENT);
        types.add(INPUT);
        types.addAll(ExperimentValidator.RUN_ANNOTATIONS);
        return types;
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        CompilerTrees trees = CompilerTrees.of(env);
        ModelResolver resolver = new ModelResolver(env.getOptions().get(ModelResolver.PROJECT_DIR_OPTION), trees);
        validator = new ExperimentValidator(env.getElementUtils(), env.getTypeUtils(), resolver);
        factory = new ExperimentModelFactory(env.getElementUtils(), trees);
        printer = new DiagnosticPrinter(env.getMessager(), trees);
        boolean generated = env.getElementUtils().getTypeElement(RuntimeNames.GENERATED.canonicalName()) != null;
        emitter = emitterOverride != null ? emitterOverride
                : new RunnerEmitter(getClass().getName(), generated)::typeSpec;
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        TypeElement experimentAnnotation = processingEnv.getElementUtils().getTypeElement(EXPERIMENT);
        if (experimentAnnotation == null) {
            return false;
        }
        Set<String> waited = new LinkedHashSet<>(deferred);
        Set<String> names = new LinkedHashSet<>(waited);
        deferred.clear();
        for (Element element : round.getElementsAnnotatedWith(experimentAnnotation)) {
            if (element instanceof TypeElement type) {
                names.add(type.getQualifiedName().toString());
            }
        }
        for (String name : names) {
            // Re-fetched by name: an element from an earlier round is stale once javac has entered new sources.
            TypeElement type = processingEnv.getElementUtils().getTypeElement(name);
            if (type != null) {
                processExperiment(type, waited.contains(name), round.processingOver());
            }
        }
        try {
            reportRunMethodsOutsideExperiments(round);
        } catch (Exception | LinkageError | AssertionError e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, Message.INTERNAL.format(stackTrace(e)));
        }
        return false;
    }

    /** @param waited whether the class waited for this round, so that its elements are read anew in it */
    private void processExperiment(TypeElement type, boolean waited, boolean lastRound) {
        try {
            if (Unresolved.in(type)) {
                // In the last round nothing new will appear: javac's own "cannot find symbol" says what is wrong.
                if (!lastRound) {
                    deferred.add(type.getQualifiedName().toString());
                }
                return;
            }
            ExperimentValidator.Result result = validator.validate(type);
            printer.print(result.report(), waited);
            if (!result.report().isClean() || result.experiment() == null) {
                return;
            }
            ExperimentModel model = factory.create(type, result.experiment());
            TypeSpec runner = emitter.apply(model).addOriginatingElement(type).build();
            GeneratedFiles.javaFile(model.runnerClass().packageName(), runner).writeTo(processingEnv.getFiler());
        } catch (Exception | LinkageError | AssertionError e) {
            reportInternalError(type, e);
        }
    }

    private void reportInternalError(Element element, Throwable failure) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, Message.INTERNAL.format(stackTrace(failure)),
                element);
    }

    static String stackTrace(Throwable failure) {
        StringWriter trace = new StringWriter();
        failure.printStackTrace(new PrintWriter(trace));
        return trace.toString().stripTrailing();
    }

    /** A run or input method in a class without {@code @Experiment} would never run: say so. */
    private void reportRunMethodsOutsideExperiments(RoundEnvironment round) {
        List<String> annotations = new ArrayList<>(ExperimentValidator.RUN_ANNOTATIONS);
        annotations.add(INPUT);
        Map<Element, AnnotationMirror> stray = new LinkedHashMap<>();
        for (String name : annotations) {
            TypeElement annotation = processingEnv.getElementUtils().getTypeElement(name);
            if (annotation == null) {
                continue;
            }
            for (Element method : round.getElementsAnnotatedWith(annotation)) {
                Element owner = method.getEnclosingElement();
                AnnotationMirror mirror = mirror(method, name);
                if (mirror != null && owner instanceof TypeElement && !hasAnnotation(owner, EXPERIMENT)) {
                    stray.putIfAbsent(method, mirror);
                }
            }
        }
        stray.forEach((method, mirror) -> {
            String annotation = mirror.getAnnotationType().asElement().getSimpleName().toString();
            printer.print(Diagnostic.Kind.ERROR, Problem.of(Message.RUN_OUTSIDE_EXPERIMENT, annotation,
                    method.getEnclosingElement().getSimpleName()).text(),
                    new Site(method, mirror, null, null, null));
        });
    }

    private static boolean hasAnnotation(Element element, String name) {
        return mirror(element, name) != null;
    }

    private static AnnotationMirror mirror(Element element, String name) {
        for (AnnotationMirror mirror : element.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().contentEquals(name)) {
                return mirror;
            }
        }
        return null;
    }
}
