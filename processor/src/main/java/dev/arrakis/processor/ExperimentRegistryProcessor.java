package dev.arrakis.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.TypeSpec;
import dev.arrakis.processor.emit.GeneratedFiles;
import dev.arrakis.processor.emit.HooksEmitter;
import dev.arrakis.processor.emit.RegistryFile;
import dev.arrakis.processor.emit.RuntimeNames;
import dev.arrakis.processor.model.ExperimentModel;
import dev.arrakis.processor.model.HooksModel;
import dev.arrakis.processor.validation.AnnotationSite;
import dev.arrakis.processor.validation.CompilerTrees;
import dev.arrakis.processor.validation.DiagnosticPrinter;
import dev.arrakis.processor.validation.ModelResolver;
import dev.arrakis.processor.validation.ValidationReport;
import dev.arrakis.spec.Message;
import dev.arrakis.spec.ModelConfig;
import dev.arrakis.spec.Problem;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedOptions;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ElementKind;
import javax.lang.model.element.TypeElement;
import javax.lang.model.element.VariableElement;
import javax.lang.model.util.ElementFilter;
import javax.lang.model.util.Elements;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * What spans experiment classes, so Gradle treats it as aggregating: a typed hook class per model and package
 * ({@code Gpt2Hooks}), the {@code ServiceLoader} registry of runners, and experiment names that must be unique.
 *
 * <p>Hook classes are generated in the round their first experiment appears, so that experiments of the same
 * compilation can use their constants in annotations; one that already exists (from an earlier compilation, or
 * written by hand) is left alone. The registry is written when processing is over, merged with the one already in
 * the class output (as AutoService does) so that recompiling one experiment keeps the others; an entry whose runner
 * no longer exists is dropped.
 */
@AutoService(Processor.class)
@SupportedOptions(ModelResolver.PROJECT_DIR_OPTION)
public final class ExperimentRegistryProcessor extends AbstractProcessor {
    private static final String EXPERIMENT = "dev.arrakis.annotations.Experiment";

    /** Experiment classes of this compilation (qualified name) and their runners (binary name). */
    private final Map<String, String> runners = new LinkedHashMap<>();
    private final List<TypeElement> experimentElements = new ArrayList<>();
    /** Experiment names of this compilation and the class that has each. */
    private final Map<String, String> names = new LinkedHashMap<>();
    private final Map<ClassName, HooksClass> hooksClasses = new LinkedHashMap<>();
    private SortedSet<String> previousRegistry;
    private ModelResolver resolver;
    private DiagnosticPrinter printer;
    private HooksEmitter hooksEmitter;

    /** A hooks class this compilation generates or found, and the experiments that use it. */
    private static final class HooksClass {
        final String modelName;
        /** Null for a class that already existed: its shape is unknown and it is not generated. */
        final ModelConfig shape;
        final List<TypeElement> experiments = new ArrayList<>();
        boolean written;

        HooksClass(String modelName, ModelConfig shape, TypeElement firstExperiment) {
            this.modelName = modelName;
            this.shape = shape;
            this.experiments.add(firstExperiment);
            this.written = shape == null;
        }
    }

    @Override
    public Set<String> getSupportedAnnotationTypes() {
        return Set.of(EXPERIMENT);
    }

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public synchronized void init(ProcessingEnvironment env) {
        super.init(env);
        CompilerTrees trees = CompilerTrees.of(env);
        resolver = new ModelResolver(env.getOptions().get(ModelResolver.PROJECT_DIR_OPTION), trees);
        printer = new DiagnosticPrinter(env.getMessager(), trees);
        boolean generated = env.getElementUtils().getTypeElement(RuntimeNames.GENERATED.canonicalName()) != null;
        hooksEmitter = new HooksEmitter(getClass().getName(), generated);
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        Elements elements = processingEnv.getElementUtils();
        TypeElement experimentAnnotation = elements.getTypeElement(EXPERIMENT);
        if (experimentAnnotation != null) {
            // In name order: which of two clashing experiments gets the error must not depend on the compiler.
            List<TypeElement> experiments = ElementFilter.typesIn(round.getElementsAnnotatedWith(experimentAnnotation))
                    .stream()
                    .sorted(Comparator.comparing(type -> type.getQualifiedName().toString()))
                    .toList();
            for (TypeElement type : experiments) {
                try {
                    collect(type);
                } catch (Exception | LinkageError | AssertionError e) {
                    reportInternalError(type, e);
                }
            }
            generateHooksClasses();
        }
        if (round.processingOver() && !runners.isEmpty()) {
            try {
                checkNamesAgainstEarlierCompilations();
            } catch (Exception | LinkageError | AssertionError e) {
                processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                        Message.INTERNAL.format(ExperimentProcessor.stackTrace(e)));
            }
            writeRegistry();
        }
        return false;
    }

    private void collect(TypeElement type) {
        if (type.getKind() != ElementKind.CLASS && type.getKind() != ElementKind.RECORD) {
            return;
        }
        AnnotationSite experiment = AnnotationSite.of(type, mirror(type), processingEnv.getElementUtils());
        String runner = ExperimentModel.runnerClassOf(ClassName.get(type)).canonicalName();
        runners.put(type.getQualifiedName().toString(), runner);
        experimentElements.add(type);
        checkName(type, experiment);

        // Problems with the model are the isolating processor's to report; here they only mean "no hooks class".
        Optional<ModelResolver.ResolvedModel> model = resolver.resolve(type, experiment,
                ValidationReport.about(type));
        if (model.isEmpty()) {
            return;
        }
        String packageName = processingEnv.getElementUtils().getPackageOf(type).getQualifiedName().toString();
        ClassName hooksClass = ClassName.get(packageName, model.get().hooksSimpleName());
        HooksClass known = hooksClasses.get(hooksClass);
        if (known != null) {
            if (known.shape != null && !known.shape.equals(model.get().shape())) {
                printer.print(Diagnostic.Kind.ERROR, Problem.of(Message.HOOKS_CLASS_CLASH, hooksClass.canonicalName(),
                        known.modelName, model.get().displayName()).text(),
                        experiment.attribute(model.get().knownName() != null ? "model" : "config"));
            } else {
                known.experiments.add(type);
            }
            return;
        }
        boolean exists = processingEnv.getElementUtils().getTypeElement(hooksClass.canonicalName()) != null;
        hooksClasses.put(hooksClass, new HooksClass(model.get().displayName(), exists ? null : model.get().shape(),
                type));
    }

    /** Rule 8: names are what the command line and the run store know experiments by, so they must be unique. */
    private void checkName(TypeElement type, AnnotationSite experiment) {
        String name = experimentName(type, experiment);
        String other = names.putIfAbsent(name, type.getQualifiedName().toString());
        if (other != null) {
            printer.print(Diagnostic.Kind.ERROR, Problem.of(Message.DUPLICATE_EXPERIMENT, name, other).text(),
                    experiment.attribute("name"));
        }
    }

    private static String experimentName(TypeElement type, AnnotationSite experiment) {
        return experiment.string("name").isEmpty() ? type.getSimpleName().toString() : experiment.string("name");
    }

    /**
     * Names taken by experiments of an earlier compilation that are still registered. Checked only when processing
     * is over: looking a runner up earlier could make javac read an old generated source of a runner this
     * compilation is about to generate again.
     */
    private void checkNamesAgainstEarlierCompilations() {
        Elements elements = processingEnv.getElementUtils();
        for (String entry : previousRegistry()) {
            if (runners.containsValue(entry)) {
                continue;
            }
            TypeElement runner = elements.getTypeElement(entry);
            Object name = runner == null ? null : constant(runner, "NAME");
            String clashing = name == null ? null : names.get(name.toString());
            TypeElement type = clashing == null ? null : elements.getTypeElement(clashing);
            if (type != null) {
                Object experimentClass = constant(runner, "EXPERIMENT_CLASS");
                printer.print(Diagnostic.Kind.ERROR, Problem.of(Message.DUPLICATE_EXPERIMENT, name,
                        experimentClass != null ? experimentClass : entry).text(),
                        AnnotationSite.of(type, mirror(type), elements).attribute("name"));
            }
        }
    }

    private static Object constant(TypeElement type, String field) {
        for (VariableElement variable : ElementFilter.fieldsIn(type.getEnclosedElements())) {
            if (variable.getSimpleName().contentEquals(field)) {
                return variable.getConstantValue();
            }
        }
        return null;
    }

    private void generateHooksClasses() {
        hooksClasses.forEach((name, hooks) -> {
            if (hooks.written) {
                return;
            }
            hooks.written = true;
            try {
                TypeSpec.Builder type = hooksEmitter.typeSpec(new HooksModel(name, hooks.modelName, hooks.shape));
                hooks.experiments.forEach(type::addOriginatingElement);
                GeneratedFiles.javaFile(name.packageName(), type.build()).writeTo(processingEnv.getFiler());
            } catch (Exception | LinkageError | AssertionError e) {
                reportInternalError(hooks.experiments.get(0), e);
            }
        });
    }

    private SortedSet<String> previousRegistry() {
        if (previousRegistry == null) {
            previousRegistry = new TreeSet<>();
            try {
                FileObject existing = processingEnv.getFiler()
                        .getResource(StandardLocation.CLASS_OUTPUT, "", RuntimeNames.REGISTRY_PATH);
                previousRegistry.addAll(RegistryFile.parse(existing.getCharContent(true)));
            } catch (IOException | IllegalArgumentException noneYet) {
                // A first compilation has no registry to merge with.
            }
        }
        return previousRegistry;
    }

    private void writeRegistry() {
        Elements elements = processingEnv.getElementUtils();
        SortedSet<String> entries = new TreeSet<>(runners.values());
        for (String previous : previousRegistry()) {
            // A runner that no longer exists would make ServiceLoader fail for every experiment.
            if (elements.getTypeElement(previous) != null) {
                entries.add(previous);
            }
        }
        Filer filer = processingEnv.getFiler();
        try {
            FileObject file = filer.createResource(StandardLocation.CLASS_OUTPUT, "", RuntimeNames.REGISTRY_PATH,
                    experimentElements.toArray(new Element[0]));
            try (Writer writer = file.openWriter()) {
                writer.write(RegistryFile.format(entries));
            }
        } catch (IOException | RuntimeException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                    Message.INTERNAL.format("cannot write " + RuntimeNames.REGISTRY_PATH + ": " + e));
        }
    }

    private void reportInternalError(Element element, Throwable failure) {
        processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR,
                Message.INTERNAL.format(ExperimentProcessor.stackTrace(failure)), element);
    }

    private static AnnotationMirror mirror(TypeElement type) {
        for (AnnotationMirror mirror : type.getAnnotationMirrors()) {
            if (((TypeElement) mirror.getAnnotationType().asElement()).getQualifiedName().contentEquals(EXPERIMENT)) {
                return mirror;
            }
        }
        throw new IllegalStateException(type + " has no @Experiment");
    }
}
