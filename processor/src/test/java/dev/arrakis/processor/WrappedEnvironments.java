package dev.arrakis.processor;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import javax.annotation.processing.Completion;
import javax.annotation.processing.Filer;
import javax.annotation.processing.Messager;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.ExecutableElement;
import javax.lang.model.element.TypeElement;
import javax.lang.model.util.Elements;
import javax.lang.model.util.Types;
import javax.tools.FileObject;
import javax.tools.JavaFileManager;
import javax.tools.JavaFileObject;

/**
 * Processors run in a wrapped environment, as Gradle runs them: one that records every file's originating elements,
 * and one that hides javac entirely (as a compiler without {@code com.sun.source} would).
 */
final class WrappedEnvironments {
    private WrappedEnvironments() {}

    /** Originating elements of each generated file, by file name. */
    static final class Recorder {
        final Map<String, List<String>> originating = new LinkedHashMap<>();

        void record(CharSequence name, Element... elements) {
            List<String> names = new ArrayList<>();
            for (Element element : elements) {
                names.add(element instanceof TypeElement type ? type.getQualifiedName().toString()
                        : element.toString());
            }
            originating.put(name.toString(), names);
        }
    }

    /** Keeps javac's environment in a field, as Gradle's wrapper does, so the processor may unwrap it. */
    static Processor recording(Processor processor, Recorder recorder) {
        return new WrappingProcessor(processor, env -> new RecordingEnvironment(env, recorder));
    }

    /** Hides javac's environment: no {@code Trees}, so the processor takes its fallbacks. */
    static Processor withoutCompilerTrees(Processor processor) {
        return new WrappingProcessor(processor, OpaqueEnvironment::new);
    }

    private interface Wrapper {
        ProcessingEnvironment wrap(ProcessingEnvironment env);
    }

    private static final class WrappingProcessor implements Processor {
        private final Processor processor;
        private final Wrapper wrapper;

        WrappingProcessor(Processor processor, Wrapper wrapper) {
            this.processor = processor;
            this.wrapper = wrapper;
        }

        @Override
        public Set<String> getSupportedOptions() {
            return processor.getSupportedOptions();
        }

        @Override
        public Set<String> getSupportedAnnotationTypes() {
            return processor.getSupportedAnnotationTypes();
        }

        @Override
        public SourceVersion getSupportedSourceVersion() {
            return processor.getSupportedSourceVersion();
        }

        @Override
        public void init(ProcessingEnvironment env) {
            processor.init(wrapper.wrap(env));
        }

        @Override
        public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
            return processor.process(annotations, round);
        }

        @Override
        public Iterable<? extends Completion> getCompletions(Element element, AnnotationMirror annotation,
                ExecutableElement member, String userText) {
            return processor.getCompletions(element, annotation, member, userText);
        }
    }

    private static final class RecordingEnvironment implements ProcessingEnvironment {
        private final ProcessingEnvironment delegate;
        private final Filer filer;

        RecordingEnvironment(ProcessingEnvironment delegate, Recorder recorder) {
            this.delegate = delegate;
            this.filer = new RecordingFiler(delegate.getFiler(), recorder);
        }

        @Override
        public Map<String, String> getOptions() {
            return delegate.getOptions();
        }

        @Override
        public Messager getMessager() {
            return delegate.getMessager();
        }

        @Override
        public Filer getFiler() {
            return filer;
        }

        @Override
        public Elements getElementUtils() {
            return delegate.getElementUtils();
        }

        @Override
        public Types getTypeUtils() {
            return delegate.getTypeUtils();
        }

        @Override
        public SourceVersion getSourceVersion() {
            return delegate.getSourceVersion();
        }

        @Override
        public Locale getLocale() {
            return delegate.getLocale();
        }
    }

    /** Holds javac's environment as a plain {@code Object}, so nothing can find it. */
    private static final class OpaqueEnvironment implements ProcessingEnvironment {
        private final Object hidden;

        OpaqueEnvironment(ProcessingEnvironment hidden) {
            this.hidden = hidden;
        }

        private ProcessingEnvironment env() {
            return (ProcessingEnvironment) hidden;
        }

        @Override
        public Map<String, String> getOptions() {
            return env().getOptions();
        }

        @Override
        public Messager getMessager() {
            return env().getMessager();
        }

        @Override
        public Filer getFiler() {
            return env().getFiler();
        }

        @Override
        public Elements getElementUtils() {
            return env().getElementUtils();
        }

        @Override
        public Types getTypeUtils() {
            return env().getTypeUtils();
        }

        @Override
        public SourceVersion getSourceVersion() {
            return env().getSourceVersion();
        }

        @Override
        public Locale getLocale() {
            return env().getLocale();
        }
    }

    private static final class RecordingFiler implements Filer {
        private final Filer delegate;
        private final Recorder recorder;

        RecordingFiler(Filer delegate, Recorder recorder) {
            this.delegate = delegate;
            this.recorder = recorder;
        }

        @Override
        public JavaFileObject createSourceFile(CharSequence name, Element... originatingElements)
                throws IOException {
            recorder.record(name, originatingElements);
            return delegate.createSourceFile(name, originatingElements);
        }

        @Override
        public JavaFileObject createClassFile(CharSequence name, Element... originatingElements) throws IOException {
            recorder.record(name, originatingElements);
            return delegate.createClassFile(name, originatingElements);
        }

        @Override
        public FileObject createResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
                CharSequence relativeName, Element... originatingElements) throws IOException {
            recorder.record(relativeName, originatingElements);
            return delegate.createResource(location, moduleAndPkg, relativeName, originatingElements);
        }

        @Override
        public FileObject getResource(JavaFileManager.Location location, CharSequence moduleAndPkg,
                CharSequence relativeName) throws IOException {
            return delegate.getResource(location, moduleAndPkg, relativeName);
        }

        @Override
        public String toString() {
            return "RecordingFiler" + Arrays.asList(delegate);
        }
    }
}
